namespace SipActors.Sip.Registration;

/// <summary>The outcome of one REGISTER exchange (challenge and retries included).</summary>
public sealed record RegistrationResult
{
    public required bool Success { get; init; }

    /// <summary>The final status, or null when no response came (timeout, transport error).</summary>
    public int? StatusCode { get; init; }

    public string? ReasonPhrase { get; init; }

    /// <summary>Why it failed; null on success.</summary>
    public RegistrationFailureCause? Cause { get; init; }

    /// <summary>Seconds the registrar granted our binding (0 after an un-REGISTER).</summary>
    public int GrantedExpires { get; init; }

    /// <summary>The Contact we registered.</summary>
    public required string Contact { get; init; }

    /// <summary>Service-Route values of the 2xx (RFC 3608), to be used as the route set of later requests.</summary>
    public IReadOnlyList<string> ServiceRoutes { get; init; } = [];

    /// <summary>The server's Retry-After on a failure, if any.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The error text for a failure without a response.</summary>
    public string? Error { get; init; }

    /// <summary>REGISTER requests sent for this result (1 without a challenge, 2 with one).</summary>
    public int Attempts { get; init; }
}
