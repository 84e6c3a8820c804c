using SipActors.Sip.Headers;

namespace SipActors.Sip.Auth;

/// <summary>
/// The client side of digest authentication for one request and its retries (RFC 3261 §22.2-22.3,
/// RFC 7616 §3.3), the one rule every request kind follows: a 401 or 407 is answered once; again only
/// when the new challenge says <c>stale=true</c> (the server refused the nonce, not the password);
/// never when no challenge is supported or there are no credentials. The answer goes in Authorization
/// for a 401 and Proxy-Authorization for a 407, on the next request of the exchange: same Call-ID,
/// next CSeq and a new branch, which the caller builds.
/// </summary>
/// <remarks>
/// A mutable struct so that a registration keeps it inline, with no object per account: hold it in
/// a field or a local and pass it by reference, never by value. The last challenge answered stays
/// after an exchange, so a REGISTER refresh can answer it at once (<see cref="BeginExchange"/>).
/// Not thread-safe: its owner's lock or its one exchange at a time covers it.
/// </remarks>
internal struct DigestRetry
{
    /// <summary>
    /// Answers in one exchange at most: the first and three stale ones. A server that says stale
    /// forever cannot keep a request looping; registration's own cap of five attempts is no lower.
    /// </summary>
    internal const int MaxAnswers = 4;

    private DigestChallenge? _challenge;
    private SipHeaderId _header;
    private int _answers;

    /// <summary>The challenge the next request answers, or null before any was accepted.</summary>
    public readonly DigestChallenge? Challenge => _challenge;

    /// <summary>Where the answer goes: Authorization (401) or Proxy-Authorization (407).</summary>
    public readonly SipHeaderId Header => _header;

    /// <summary>Answers given in the current exchange.</summary>
    public readonly int Answers => _answers;

    /// <summary>
    /// Reads a final response to our request. On <see cref="DigestRetryDecision.Retry"/> its challenge
    /// becomes the one the next request answers; on anything else nothing changes.
    /// </summary>
    public DigestRetryDecision Decide(SipResponse response, DigestCredentials? credentials)
    {
        ArgumentNullException.ThrowIfNull(response);
        var status = response.StatusCode;
        if (status is not (401 or 407))
        {
            return DigestRetryDecision.NotChallenged;
        }
        if (DigestChallenge.SelectFirstSupported(response) is not { } challenge)
        {
            return DigestRetryDecision.Unsupported;
        }
        if (credentials is null)
        {
            return DigestRetryDecision.NoCredentials;
        }
        if (_answers >= MaxAnswers || (_answers > 0 && !challenge.Stale))
        {
            return DigestRetryDecision.Refused;
        }
        _challenge = challenge;
        _header = status == 401 ? SipHeaderId.Authorization : SipHeaderId.ProxyAuthorization;
        _answers++;
        return DigestRetryDecision.Retry;
    }

    /// <summary>A new exchange (a REGISTER refresh, a new re-INVITE): it may answer a challenge once more; the last challenge is kept.</summary>
    public void BeginExchange() => _answers = 0;

    /// <summary>Forgets everything: the next request goes without credentials.</summary>
    public void Reset() => this = default;

    /// <summary>
    /// Adds the answer to the accepted challenge to <paramref name="request"/>, computed over its method,
    /// Request-URI (the digest-uri, §22.4) and body; nothing when no challenge was accepted.
    /// <paramref name="authenticator"/> counts the uses of each nonce (nc), so one per account or call.
    /// </summary>
    public readonly void Authorize(SipRequest request, DigestCredentials? credentials, DigestAuthenticator authenticator)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(authenticator);
        if (_challenge is null || credentials is null)
        {
            return;
        }
        authenticator.AddAuthorization(request.Headers, _header, _challenge, credentials, request.MethodName, request.RequestUriText, request.Body.Span);
    }

    /// <summary>Why a challenge was not answered, for an outcome's error text; null for <see cref="DigestRetryDecision.Retry"/> and <see cref="DigestRetryDecision.Refused"/>.</summary>
    public static string? Explain(DigestRetryDecision decision) => decision switch
    {
        DigestRetryDecision.Unsupported => "no supported digest challenge",
        DigestRetryDecision.NoCredentials => "credentials required",
        _ => null,
    };
}
