using System.Collections.Concurrent;
using SipActors.Sip.Timers;

namespace SipActors.Sip.Transports;

/// <summary>
/// Holds a server's accepted connections (TCP and WS listeners together) within limits, as
/// Kestrel's <c>MaxConcurrentConnections</c>, <c>KeepAliveTimeout</c> and
/// <c>RequestHeadersTimeout</c> do: a connection beyond the maximum is closed as soon as it is
/// accepted; one that sends nothing for the idle timeout is closed; one that holds an unfinished
/// message (a header or body, a WebSocket handshake or frame) for the incomplete-message timeout
/// is closed. One heartbeat on the shared timer wheel looks at every connection; nothing runs
/// per connection, and a read pays no clock.
/// </summary>
public sealed class ConnectionGuard : IDisposable
{
    private readonly SipTimerWheel _wheel;
    private readonly TimeProvider _time;
    private readonly TimeSpan _heartbeat;
    private readonly ConcurrentDictionary<IGuardedConnection, Watch> _watched = new(ReferenceEqualityComparer.Instance);
    private int _open;
    private long _refused;
    private long _idleClosed;
    private long _incompleteClosed;
    private SipTimer _timer;
    private volatile bool _disposed;

    /// <param name="wheel">Carries the heartbeat.</param>
    /// <param name="time">The clock the timeouts are read from (the wheel's).</param>
    /// <param name="maxConnections">Connections open at once, at least 1.</param>
    /// <param name="idleTimeout">Silence after which a connection is closed; positive, or <see cref="Timeout.InfiniteTimeSpan"/> for never.</param>
    /// <param name="incompleteMessageTimeout">How long a message may stay unfinished; positive, or <see cref="Timeout.InfiniteTimeSpan"/> for ever.</param>
    public ConnectionGuard(SipTimerWheel wheel, TimeProvider time, int maxConnections, TimeSpan idleTimeout, TimeSpan incompleteMessageTimeout)
    {
        ArgumentNullException.ThrowIfNull(wheel);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConnections, 1);
        ThrowIfNotTimeout(idleTimeout, nameof(idleTimeout));
        ThrowIfNotTimeout(incompleteMessageTimeout, nameof(incompleteMessageTimeout));
        _wheel = wheel;
        _time = time;
        MaxConnections = maxConnections;
        IdleTimeout = idleTimeout;
        IncompleteMessageTimeout = incompleteMessageTimeout;
        // A timeout is noticed within one heartbeat after it is due: a quarter of the shorter one, at most 1 s.
        var shortest = idleTimeout == Timeout.InfiniteTimeSpan ? incompleteMessageTimeout
            : incompleteMessageTimeout == Timeout.InfiniteTimeSpan ? idleTimeout
            : TimeSpan.FromTicks(Math.Min(idleTimeout.Ticks, incompleteMessageTimeout.Ticks));
        _heartbeat = shortest == Timeout.InfiniteTimeSpan ? TimeSpan.FromSeconds(1)
            : TimeSpan.FromTicks(Math.Clamp(shortest.Ticks / 4, wheel.Tick.Ticks, TimeSpan.TicksPerSecond));
        _timer = _wheel.Schedule(_heartbeat, static s => ((ConnectionGuard)s!).Beat(), this);
    }

    internal static void ThrowIfNotTimeout(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(name, value, "A timeout is positive, or Timeout.InfiniteTimeSpan for none.");
        }
    }

    public int MaxConnections { get; }
    public TimeSpan IdleTimeout { get; }
    public TimeSpan IncompleteMessageTimeout { get; }

    /// <summary>Connections admitted and not yet closed.</summary>
    public int OpenConnections => Volatile.Read(ref _open);

    /// <summary>Connections closed at accept because <see cref="MaxConnections"/> were open.</summary>
    public long RefusedConnections => Interlocked.Read(ref _refused);

    /// <summary>Connections closed because they sent nothing for <see cref="IdleTimeout"/>.</summary>
    public long IdleTimeouts => Interlocked.Read(ref _idleClosed);

    /// <summary>Connections closed because a message stayed unfinished for <see cref="IncompleteMessageTimeout"/>.</summary>
    public long IncompleteMessageTimeouts => Interlocked.Read(ref _incompleteClosed);

    /// <summary>Takes a place for a connection just accepted; false (counted) when none is free: close it at once.</summary>
    internal bool TryAdmit()
    {
        while (true)
        {
            var open = Volatile.Read(ref _open);
            if (open >= MaxConnections)
            {
                Interlocked.Increment(ref _refused);
                return false;
            }
            if (Interlocked.CompareExchange(ref _open, open + 1, open) == open)
            {
                return true;
            }
        }
    }

    /// <summary>Starts the timeouts of an admitted connection.</summary>
    internal void Track(IGuardedConnection connection)
        => _watched[connection] = new Watch(connection.ReadCount, connection.UnfinishedMessageSince, _time.GetTimestamp());

    /// <summary>An admitted connection closed (tracked or not): its place is free again. Call once per <see cref="TryAdmit"/> that said true.</summary>
    internal void Leave(IGuardedConnection? connection)
    {
        if (connection is not null)
        {
            _watched.TryRemove(connection, out _);
        }
        Interlocked.Decrement(ref _open);
    }

    private void Beat()
    {
        var now = _time.GetTimestamp();
        foreach (var (connection, watch) in _watched)
        {
            var reads = connection.ReadCount;
            if (reads != watch.Reads)
            {
                watch.Reads = reads;
                watch.ReadsSeenAt = now;
            }
            else if (IdleTimeout != Timeout.InfiniteTimeSpan && _time.GetElapsedTime(watch.ReadsSeenAt, now) >= IdleTimeout)
            {
                Close(connection, ref _idleClosed);
                continue;
            }
            var unfinished = connection.UnfinishedMessageSince;
            if (unfinished != watch.Unfinished)
            {
                watch.Unfinished = unfinished;
                watch.UnfinishedSeenAt = now;
            }
            else if (unfinished != 0 && IncompleteMessageTimeout != Timeout.InfiniteTimeSpan
                && _time.GetElapsedTime(watch.UnfinishedSeenAt, now) >= IncompleteMessageTimeout)
            {
                Close(connection, ref _incompleteClosed);
            }
        }
        if (!_disposed)
        {
            _timer = _wheel.Schedule(_heartbeat, static s => ((ConnectionGuard)s!).Beat(), this);
        }
    }

    private void Close(IGuardedConnection connection, ref long counter)
    {
        // Closed once: the connection's own close path calls Leave, which would find it gone.
        if (_watched.TryRemove(connection, out _))
        {
            Interlocked.Increment(ref counter);
            connection.Abort();
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _timer.Cancel();
    }

    /// <summary>What the heartbeat last saw of one connection; only the heartbeat writes it.</summary>
    private sealed class Watch(long reads, long unfinished, long seenAt)
    {
        public long Reads = reads;
        public long ReadsSeenAt = seenAt;
        public long Unfinished = unfinished;
        public long UnfinishedSeenAt = seenAt;
    }
}
