using System.Collections.Concurrent;

namespace SipActors.Sip.Timers;

/// <summary>
/// One hashed timer wheel for every deadline of a process (transaction retransmissions and
/// timeouts, registration refreshes): one OS timer ticks it, whatever the number of accounts.
/// Scheduling is a lock-free enqueue and cancelling an atomic flag, so thousands of accounts on
/// many threads never contend for it; only the ticking thread touches the wheel's slots. A
/// deadline fires within one tick after it is due. Callbacks run on the ticking thread and must be
/// short (send a datagram, complete a task, post a message).
/// </summary>
public sealed class SipTimerWheel : IDisposable
{
    private readonly SipTimer?[] _slots;
    private readonly int _mask;
    private readonly long _tickTimestamp;
    private readonly long _origin;
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private readonly ConcurrentQueue<SipTimer> _incoming = new();
    private long _processedTick;
    private int _count;
    private int _ticking;
    private volatile bool _disposed;

    /// <param name="tick">Resolution; 10 ms keeps retransmissions (T1 = 500 ms) accurate to 2%.</param>
    /// <param name="slots">Wheel size, rounded up to a power of two; deadlines further out than one turn wait extra rounds.</param>
    /// <param name="timeProvider">The clock; tests pass a fake one.</param>
    public SipTimerWheel(TimeSpan? tick = null, int slots = 4096, TimeProvider? timeProvider = null)
    {
        var t = tick ?? TimeSpan.FromMilliseconds(10);
        ArgumentOutOfRangeException.ThrowIfLessThan(t, TimeSpan.FromMilliseconds(1), nameof(tick));
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 16);
        _time = timeProvider ?? TimeProvider.System;
        Tick = t;
        _slots = new SipTimer?[(int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)slots)];
        _mask = _slots.Length - 1;
        _tickTimestamp = Math.Max(1, (long)(t.TotalSeconds * _time.TimestampFrequency));
        _origin = _time.GetTimestamp();
        _timer = _time.CreateTimer(static s => ((SipTimerWheel)s!).OnTick(), this, t, t);
    }

    /// <summary>The resolution.</summary>
    public TimeSpan Tick { get; }

    /// <summary>Deadlines pending now (a gauge for metrics, and how tests prove that nothing leaks).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Raised with an exception a timer callback threw (the wheel keeps running).</summary>
    public event Action<Exception>? UnhandledCallbackException;

    /// <summary>Calls <paramref name="callback"/> with <paramref name="state"/> once <paramref name="delay"/> has passed.</summary>
    public SipTimer Schedule(TimeSpan delay, Action<object?> callback, object? state = null)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var ticks = Math.Max(1, (long)Math.Ceiling(delay.TotalSeconds * _time.TimestampFrequency / _tickTimestamp));
        // Never into the past of what was processed: a deadline due "now" fires on the next tick.
        var due = Math.Max(CurrentTick(), Volatile.Read(ref _processedTick)) + ticks;
        var timer = new SipTimer(this, due, callback, state);
        Interlocked.Increment(ref _count);
        _incoming.Enqueue(timer);
        return timer;
    }

    internal void OnCancelled() => Interlocked.Decrement(ref _count);

    private long CurrentTick() => (_time.GetTimestamp() - _origin) / _tickTimestamp;

    private void OnTick()
    {
        // One hand: a late OS timer callback must not run beside the previous one.
        if (_disposed || Interlocked.Exchange(ref _ticking, 1) == 1)
        {
            return;
        }
        List<SipTimer>? due = null;
        try
        {
            var now = CurrentTick();
            while (_incoming.TryDequeue(out var timer))
            {
                if (timer.IsCancelled)
                {
                    continue;
                }
                if (timer.DueTick <= now)
                {
                    (due ??= []).Add(timer);
                }
                else
                {
                    Link(timer);
                }
            }
            // Walk every tick since the last run, at most one turn (a full turn visits every slot).
            var from = _processedTick + 1;
            if (now - from >= _slots.Length)
            {
                from = now - _slots.Length + 1;
            }
            for (var tick = from; tick <= now; tick++)
            {
                var timer = _slots[tick & _mask];
                while (timer is not null)
                {
                    var next = timer.Next;
                    if (timer.IsCancelled)
                    {
                        Unlink(timer);
                    }
                    else if (timer.DueTick <= now)
                    {
                        Unlink(timer);
                        (due ??= []).Add(timer);
                    }
                    timer = next;
                }
            }
            Volatile.Write(ref _processedTick, Math.Max(_processedTick, now));

            if (due is not null)
            {
                foreach (var timer in due)
                {
                    if (!timer.TryFire())
                    {
                        continue;
                    }
                    Interlocked.Decrement(ref _count);
                    try
                    {
                        timer.Callback(timer.State);
                    }
                    catch (Exception ex)
                    {
                        // A faulty callback must not stop every other deadline of the process.
                        UnhandledCallbackException?.Invoke(ex);
                    }
                }
            }
        }
        finally
        {
            Volatile.Write(ref _ticking, 0);
        }
    }

    private void Link(SipTimer timer)
    {
        var slot = (int)(timer.DueTick & _mask);
        timer.Slot = slot;
        timer.Previous = null;
        timer.Next = _slots[slot];
        if (timer.Next is not null)
        {
            timer.Next.Previous = timer;
        }
        _slots[slot] = timer;
    }

    private void Unlink(SipTimer timer)
    {
        if (timer.Previous is null)
        {
            _slots[timer.Slot] = timer.Next;
        }
        else
        {
            timer.Previous.Next = timer.Next;
        }
        if (timer.Next is not null)
        {
            timer.Next.Previous = timer.Previous;
        }
        timer.Next = timer.Previous = null;
        timer.Slot = -1;
    }

    public void Dispose()
    {
        _disposed = true;
        _timer.Dispose();
    }
}
