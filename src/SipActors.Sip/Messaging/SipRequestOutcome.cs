namespace SipActors.Sip.Messaging;

/// <summary>How an out-of-dialog request ended: a final response (2xx is success), a timeout or a transport error.</summary>
public sealed record SipRequestOutcome
{
    public required bool Success { get; init; }

    /// <summary>The final status, or null when no final response came (timeout, transport error).</summary>
    public int? StatusCode { get; init; }

    public string? ReasonPhrase { get; init; }

    /// <summary>Why it failed, in words: <c>"404 Not Found"</c>, a timeout, a transport error.</summary>
    public string? Error { get; init; }

    /// <summary>The final response, when there was one.</summary>
    public SipResponse? Response { get; init; }
}
