namespace SipActors.Sip.Calls;

/// <summary>Settings of one call.</summary>
public sealed record SipCallOptions
{
    public static SipCallOptions Default { get; } = new();

    private readonly TimeSpan _sessionExpires = TimeSpan.FromSeconds(1800);
    private readonly TimeSpan _minSessionExpires = TimeSpan.FromSeconds(90);

    /// <summary>
    /// How long a call may go unanswered, 60 s by default (the seed library's no-answer timeout):
    /// an outgoing call is then cancelled, an incoming one answered 480. Either way it ends NoAnswer.
    /// </summary>
    public TimeSpan NoAnswerTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The SDP content type.</summary>
    public string ContentType { get; init; } = "application/sdp";

    /// <summary>
    /// RFC 4028 session timers, off by default. On, our INVITEs offer <see cref="SessionExpires"/>
    /// (with <c>Supported: timer</c> and <see cref="MinSessionExpires"/> as Min-SE), we answer a
    /// peer's offer, the side named refresher re-INVITEs at half the interval, and the other ends
    /// the call with BYE (<see cref="SipCallEndCause.SessionTimerExpired"/>) when no refresh comes.
    /// Off, Session-Expires is ignored and an INVITE that requires the timer is answered 420.
    /// </summary>
    public bool SessionTimers { get; init; }

    /// <summary>
    /// The session interval we ask for, 1800 s by default (RFC 4028 §4 recommends 30 minutes);
    /// raised to <see cref="MinSessionExpires"/> when below it. Sent in whole seconds, rounded up.
    /// </summary>
    public TimeSpan SessionExpires
    {
        get => _sessionExpires;
        init => _sessionExpires = Check(value, nameof(SessionExpires));
    }

    /// <summary>
    /// The shortest interval we accept (and send as Min-SE), 90 s by default: RFC 4028 §4's floor,
    /// which keeps refreshes from flooding the path. Lower it only where that floor does not
    /// matter, such as tests on loopback. A peer offering less is answered 422.
    /// </summary>
    public TimeSpan MinSessionExpires
    {
        get => _minSessionExpires;
        init => _minSessionExpires = Check(value, nameof(MinSessionExpires));
    }

    private static TimeSpan Check(TimeSpan value, string name)
        => value >= TimeSpan.FromSeconds(1) && value <= TimeSpan.FromSeconds(int.MaxValue)
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be between 1 second and {int.MaxValue} seconds.");
}
