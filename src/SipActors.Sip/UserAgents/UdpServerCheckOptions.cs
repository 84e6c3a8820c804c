namespace SipActors.Sip.UserAgents;

/// <summary>How a <see cref="SipStack"/> notices that a UDP server went away (see <c>UdpServerMonitor</c>).</summary>
public sealed record UdpServerCheckOptions
{
    public static UdpServerCheckOptions Default { get; } = new();

    /// <summary>Silence from a server after which one OPTIONS checks it, 30 s by default; zero turns the check off.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a check waits for the answer, 5 s by default (retransmissions at 0.5, 1 and 2 s fit in it).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Unanswered checks in a row before the server counts as lost, 2 by default: one lost datagram is not a lost server.</summary>
    public int FailuresToLose { get; init; } = 2;
}
