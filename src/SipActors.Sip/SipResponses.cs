using SipActors.Sip.Headers;

namespace SipActors.Sip;

/// <summary>Builds responses to requests as RFC 3261 §8.2.6 says: the request's Via lines, From, To, Call-ID and CSeq copied.</summary>
public static class SipResponses
{
    public static SipResponse Create(SipRequest request, int statusCode, string? reasonPhrase = null, string? toTag = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new SipResponse(statusCode, reasonPhrase);
        var headers = request.Headers;
        for (var i = 0; i < headers.Count; i++)
        {
            var id = headers.GetId(i);
            if (id is SipHeaderId.Via or SipHeaderId.From or SipHeaderId.CallId or SipHeaderId.CSeq)
            {
                response.Headers.Add(id, headers.GetValueSpan(i));
            }
            else if (id == SipHeaderId.To)
            {
                var to = headers.GetValueSpan(i);
                // A 100 Trying never carries a To tag (RFC 3261 §8.2.6.2).
                if (toTag is not null && statusCode > 100 && NameAddressValue.TryParse(to, out var parsed) && parsed.Tag.IsEmpty)
                {
                    response.Headers.Add(SipHeaderId.To, System.Text.Encoding.UTF8.GetString(to) + ";tag=" + toTag);
                }
                else
                {
                    response.Headers.Add(SipHeaderId.To, to);
                }
            }
        }
        return response;
    }
}
