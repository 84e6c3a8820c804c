using SipActors.Sip.Headers;

namespace SipActors.Sip.Parsing;

/// <summary>The parser handler that keeps what a <see cref="SipMessage"/> needs: the start line's positions and every header entry.</summary>
internal struct MessageHeadBuilder(SipHeaderCollection headers) : ISipMessageHandler
{
    public readonly SipHeaderCollection Headers = headers;
    public bool IsRequest;
    public SipMethod Method;
    public string? MethodName;
    public int UriStart;
    public int UriLength;
    public int StatusCode;
    public int ReasonStart;
    public int ReasonLength;

    public void OnRequestLine(SipMethod method, ReadOnlySpan<byte> methodName, int uriStart, int uriLength)
    {
        IsRequest = true;
        MethodName = SipMethods.GetName(methodName, out Method);
        UriStart = uriStart;
        UriLength = uriLength;
        _ = method;
    }

    public void OnStatusLine(int statusCode, int reasonStart, int reasonLength)
    {
        StatusCode = statusCode;
        ReasonStart = reasonStart;
        ReasonLength = reasonLength;
    }

    public readonly void OnHeader(SipHeaderId id, int nameStart, int nameLength, int valueStart, int valueLength)
        => Headers.AddParsed(id, nameStart, nameLength, valueStart, valueLength);
}
