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
    private int _tickRequested;
    private volatile bool _disposed;

    // While few timers are pending the OS timer is not left ticking every 10 ms: it is set once for
    // the earliest deadline (see Reprogram), so that an idle stack holding 50,000 registered accounts
    // does not wake a thread-pool thread 100 times a second. _wakeTick is that tick while asleep, and
    // long.MinValue while ticking at the resolution; Schedule wakes the wheel for an earlier deadline.
    private long _wakeTick = long.MinValue;

    /// <summary>Up to this many pending timers the wheel sleeps between deadlines; more, and it ticks at its resolution.</summary>
    private const int SleepingBelow = 256;

    /// <summary>The longest sleep: the walk after it visits every slot once (one turn of the default wheel is 41 s).</summary>
    private const int MaxSleepTicks = 1000;

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
        => ScheduleAt(DueTickAfter(delay), callback, state);

    /// <summary>The tick at which a deadline <paramref name="delay"/> from now is due, as <see cref="Schedule"/> computes it.</summary>
    internal long DueTickAfter(TimeSpan delay)
    {
        var ticks = Math.Max(1, (long)Math.Ceiling(delay.TotalSeconds * _time.TimestampFrequency / _tickTimestamp));
        // Never into the past of what was processed: a deadline due "now" fires on the next tick.
        return Now + ticks;
    }

    /// <summary>The wheel's present tick: a deadline whose due tick is at most this has come.</summary>
    internal long Now => Math.Max(CurrentTick(), Volatile.Read(ref _processedTick));

    /// <summary>As <see cref="Schedule"/>, at a due tick from <see cref="DueTickAfter"/> (a later one of several deadlines kept in one timer).</summary>
    internal SipTimer ScheduleAt(long due, Action<object?> callback, object? state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var timer = new SipTimer(this, Math.Max(due, Now + 1), callback, state);
        Interlocked.Increment(ref _count);
        _incoming.Enqueue(timer);
        // After the enqueue (a full fence): a wheel that went to sleep before it saw this timer is woken here.
        var wake = Volatile.Read(ref _wakeTick);
        if (wake != long.MinValue && timer.DueTick < wake)
        {
            Wake(wake);
        }
        return timer;
    }

    /// <summary>Back to ticking at the resolution, unless someone else already woke the wheel from that sleep.</summary>
    private void Wake(long asleepUntil)
    {
        if (Interlocked.CompareExchange(ref _wakeTick, long.MinValue, asleepUntil) == asleepUntil && !_disposed)
        {
            SetTimer(Tick, Tick);
        }
    }

    internal void OnCancelled() => Interlocked.Decrement(ref _count);

    private long CurrentTick() => (_time.GetTimestamp() - _origin) / _tickTimestamp;

    private void OnTick()
    {
        // One hand: an OS timer callback that comes while the previous one runs leaves a request,
        // which the running hand serves once it lets go (a sleeping wheel must not lose its one wake-up).
        Interlocked.Exchange(ref _tickRequested, 1);
        while (!_disposed && Volatile.Read(ref _tickRequested) == 1)
        {
            if (Interlocked.Exchange(ref _ticking, 1) == 1)
            {
                return;
            }
            try
            {
                Interlocked.Exchange(ref _tickRequested, 0);
                TickOnce();
            }
            finally
            {
                Interlocked.Exchange(ref _ticking, 0); // a full fence before the request is read again
            }
        }
    }

    /// <summary>Ticks the wheel has run (how tests see that an idle wheel sleeps).</summary>
    internal long TicksRun => Volatile.Read(ref _ticksRun);

    private long _ticksRun;

    private void TickOnce()
    {
        Interlocked.Increment(ref _ticksRun);
        List<SipTimer>? due = null;
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
        Reprogram();
    }

    /// <summary>
    /// After a tick: with few timers pending and none waiting to be linked, the OS timer is set for
    /// the earliest deadline (at most <see cref="MaxSleepTicks"/> away) instead of the next tick.
    /// </summary>
    private void Reprogram()
    {
        var now = CurrentTick();
        long sleepUntil = long.MinValue;
        if (Volatile.Read(ref _count) < SleepingBelow && _incoming.IsEmpty)
        {
            var earliest = Math.Min(EarliestLinkedTick(), now + MaxSleepTicks);
            if (earliest - now > 1)
            {
                sleepUntil = earliest;
            }
        }
        if (sleepUntil == long.MinValue)
        {
            var asleepUntil = Volatile.Read(ref _wakeTick);
            if (asleepUntil != long.MinValue)
            {
                Wake(asleepUntil);
            }
            return;
        }
        // The OS timer first, then the tick published, then the queue looked at again: a Schedule
        // that came in between either sees the sleep and wakes the wheel, or is seen here.
        SetTimer(_time.GetElapsedTime(_time.GetTimestamp(), _origin + sleepUntil * _tickTimestamp), Timeout.InfiniteTimeSpan);
        Interlocked.Exchange(ref _wakeTick, sleepUntil);
        if (!_incoming.IsEmpty)
        {
            Wake(sleepUntil);
        }
    }

    /// <summary>Sets the OS timer, unless the wheel was disposed meanwhile.</summary>
    private void SetTimer(TimeSpan dueTime, TimeSpan period)
    {
        try
        {
            _timer.Change(dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime, period);
        }
        catch (ObjectDisposedException) when (_disposed)
        {
        }
    }

    /// <summary>The due tick of the earliest linked timer (long.MaxValue when none); cancelled timers met on the way are unlinked.</summary>
    private long EarliestLinkedTick()
    {
        var earliest = long.MaxValue;
        for (var slot = 0; slot < _slots.Length; slot++)
        {
            var timer = _slots[slot];
            while (timer is not null)
            {
                var next = timer.Next;
                if (timer.IsCancelled)
                {
                    Unlink(timer);
                }
                else if (timer.DueTick < earliest)
                {
                    earliest = timer.DueTick;
                }
                timer = next;
            }
        }
        return earliest;
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

    /// <summary>
    /// The pending timers by the type that scheduled them ("NonInviteClientTransaction: 2"), for
    /// diagnostics. It walks the slots, which only the ticking thread may touch: call it from a timer
    /// callback of this wheel.
    /// </summary>
    internal string DescribePending()
    {
        var owners = new SortedDictionary<string, int>(StringComparer.Ordinal);
        void Count(SipTimer timer)
        {
            if (timer.IsPending)
            {
                var type = timer.Callback.Method.DeclaringType;
                var name = (type?.IsNested == true && type.Name.StartsWith('<') ? type.DeclaringType : type)?.Name ?? "?";
                owners[name] = owners.GetValueOrDefault(name) + 1;
            }
        }
        foreach (var timer in _incoming)
        {
            Count(timer);
        }
        foreach (var head in _slots)
        {
            for (var timer = head; timer is not null; timer = timer.Next)
            {
                Count(timer);
            }
        }
        return string.Join(", ", owners.Select(o => $"{o.Key}: {o.Value}"));
    }

    public void Dispose()
    {
        _disposed = true;
        _timer.Dispose();
    }
}
