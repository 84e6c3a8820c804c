namespace SipActors.Sip.Registrar;

/// <summary>
/// Limits on the registrar's TCP and WS connections, after Kestrel's <c>KestrelServerLimits</c>
/// (<c>MaxConcurrentConnections</c>, <c>KeepAliveTimeout</c>, <c>RequestHeadersTimeout</c>), so
/// that idle, stalled or too many connections cannot hold its descriptors and memory. UDP has no
/// connections and is not limited here. A bad value throws <see cref="ArgumentOutOfRangeException"/>
/// from its setter.
/// </summary>
public sealed class RegistrarLimits
{
    /// <summary>20,000: see <see cref="MaxConcurrentConnections"/>.</summary>
    public const int DefaultMaxConcurrentConnections = 20_000;

    private int _maxConcurrentConnections = DefaultMaxConcurrentConnections;
    private TimeSpan _idleTimeout = TimeSpan.FromMinutes(5);
    private TimeSpan _incompleteMessageTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// TCP and WS connections open at once, counted together; a connection accepted beyond it is
    /// closed at once and counted (<see cref="EmbeddedRegistrar.RefusedConnections"/>). Default
    /// 20,000: twice the 10,000 TCP/WS accounts a load run holds on one machine (the descriptor
    /// limit advised for it is 20,000), so reconnects never meet it, while a flood stops there.
    /// Raise it, and <c>ulimit -n</c>, for bigger runs. At least 1.
    /// </summary>
    public int MaxConcurrentConnections
    {
        get => _maxConcurrentConnections;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxConcurrentConnections = value;
        }
    }

    /// <summary>
    /// A connection that sends no byte for this long is closed. Default 5 minutes: comfortably
    /// above what a registered client sends on its own, a refresh of the default 300 s
    /// registration (due after at most 268 s), SipActors' own CRLF keep-alive (30 s,
    /// <c>sip-actors.transport.keep-alive-interval</c>) and RFC 5626's suggested 95-120 s on
    /// connection-oriented flows (§4.4.1), so only a connection that is really abandoned is closed.
    /// A client that registers for longer without keep-alives needs a longer timeout. Positive, or
    /// <see cref="Timeout.InfiniteTimeSpan"/> for none.
    /// </summary>
    public TimeSpan IdleTimeout
    {
        get => _idleTimeout;
        set
        {
            ThrowIfNotTimeout(value);
            _idleTimeout = value;
        }
    }

    /// <summary>
    /// A message (its header or its body), a WebSocket frame or the WebSocket handshake that is
    /// not complete this long after it began closes the connection: slowloris, a body that never
    /// comes. Default 10 s: a SIP message is at most 64 KiB and arrives in one or two round
    /// trips on any working network, so 10 s is thousands of times what an honest client needs
    /// (Kestrel gives request headers 30 s; a registrar's messages are smaller). Positive, or
    /// <see cref="Timeout.InfiniteTimeSpan"/> for none.
    /// </summary>
    public TimeSpan IncompleteMessageTimeout
    {
        get => _incompleteMessageTimeout;
        set
        {
            ThrowIfNotTimeout(value);
            _incompleteMessageTimeout = value;
        }
    }

    private static void ThrowIfNotTimeout(TimeSpan value, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(name, value, "A timeout is positive, or Timeout.InfiniteTimeSpan for none.");
        }
    }
}
