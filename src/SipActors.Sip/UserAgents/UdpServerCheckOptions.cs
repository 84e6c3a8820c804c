namespace SipActors.Sip.UserAgents;

/// <summary>How a <see cref="SipStack"/> notices that a UDP server went away (see <c>UdpServerMonitor</c>).</summary>
public sealed record UdpServerCheckOptions
{
    public static UdpServerCheckOptions Default { get; } = new();

    /// <summary>
    /// Silence from a server after which one OPTIONS probes it, and the pace of probes while it is
    /// idle or unreachable: 5 s by default, so a 10 s registrar restart (which loses every binding)
    /// is noticed within about interval + timeout. One probe per server, whatever the number of
    /// accounts on it. Zero turns the check off (accounts then notice at their next refresh).
    /// </summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a probe waits for the answer, 4 s by default: the retransmissions at 0.5, 1 and 2 s (T1 = 500 ms) fit in it.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>
    /// Unanswered probes in a row before the server counts as lost, 1 by default: a probe is already
    /// four datagrams over 4 s, and a timed-out transaction of any account triggers one at once.
    /// </summary>
    public int FailuresToLose { get; init; } = 1;
}
