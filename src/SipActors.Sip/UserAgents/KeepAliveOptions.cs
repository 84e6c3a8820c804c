namespace SipActors.Sip.UserAgents;

/// <summary>
/// Keep-alives on the connection-oriented flows of a <see cref="SipStack"/> (TCP, TLS, WS, WSS):
/// they keep a server (Kamailio's <c>tcp_connection_lifetime</c>) or a NAT from dropping an idle
/// account's connection, and find a dead peer. TCP and TLS use the RFC 5626 §4.4.1 CRLF ping
/// (double CRLF, answered by a single CRLF); WebSocket uses ping frames (RFC 6455 §5.5.2, which
/// Kamailio's websocket module answers with pong frames).
/// </summary>
public sealed record KeepAliveOptions
{
    /// <summary>Off: no keep-alives.</summary>
    public static KeepAliveOptions Off { get; } = new() { Interval = TimeSpan.Zero };

    public static KeepAliveOptions Default { get; } = new();

    /// <summary>
    /// Time between pings, 30 s by default; zero turns keep-alives off. Each flow draws every
    /// interval at random between 80% and 100% of this (RFC 5626 §4.4.1), so thousands of flows
    /// opened together do not ping in lockstep.
    /// </summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a ping waits for its pong before the flow counts as dead and is closed (reported
    /// once through the channel's Closed), 10 s by default, as RFC 5626 §4.4.1 suggests. A dead
    /// peer is found within <see cref="Interval"/> + this.
    /// </summary>
    public TimeSpan PongTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public bool Enabled => Interval > TimeSpan.Zero;

    /// <summary>The next interval for one flow: uniform in [80%, 100%] of <see cref="Interval"/>.</summary>
    public TimeSpan NextInterval(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return TimeSpan.FromTicks((long)(Interval.Ticks * (0.8 + 0.2 * random.NextDouble())));
    }
}
