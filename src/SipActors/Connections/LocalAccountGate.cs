using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;

namespace SipActors.Connections;

/// <summary>
/// The gate the accounts of one local host share, kept without a mailbox: permits, the in-flight
/// bound and the counts per state are atomic counters that each account updates on its own thread,
/// and the requests that must wait sit in a concurrent queue, drained by whoever frees a slot and
/// by a scheduler tick while the rate holds them back. Before, every registration cost five
/// messages through the host's mailbox (ask, grant, release, two status reports) and the host's
/// one thread ran them all.
/// </summary>
/// <remarks>
/// The rate is a token bucket kept as one timestamp (the generic cell rate algorithm): a permit
/// at <c>now</c> moves the "theoretical arrival time" one interval on, and is refused while that
/// time would run more than a burst ahead of <c>now</c>. Same rule as <see cref="ConnectPermits{T}"/>
/// (a burst of 50 ms worth and at least two, the rate after it, requests served in order), with one
/// compare-and-swap instead of a lock. An account holds a count of its permits, so a release is
/// taken once and an account that stops gives back what it held, even a permit still on its way.
/// </remarks>
public sealed class LocalAccountGate : IAccountGate
{
    private static readonly TimeSpan MinTick = TimeSpan.FromMilliseconds(1);
    private static readonly int StatusCount = Enum.GetValues<ConnectionStatus>().Length;

    private readonly Func<TimeSpan> _clock;
    private readonly Action<TimeSpan, Action> _scheduleOnce;
    private readonly IActorRef? _host;
    private readonly ConcurrentDictionary<AccountId, Entry> _entries = new();
    private readonly ConcurrentQueue<Waiter> _waiting = new();
    private readonly int[] _counts = new int[StatusCount];
    private readonly long _interval;    // ticks of the clock (TimeSpan ticks) per permit
    private readonly long _burstWindow; // how far ahead of now the bucket may run
    private readonly Action _tick;
    private long _theoreticalArrival;
    private int _inFlight;
    private int _accounts;
    private int _draining;
    private int _tickPending;

    /// <summary>A gate on the Akka scheduler; <paramref name="host"/> is told of restarts (it keeps the last Connect of each account).</summary>
    public LocalAccountGate(double ratePerSecond, int maxInFlight, IScheduler scheduler, IActorRef? host = null)
        : this(ratePerSecond, maxInFlight, () => Stopwatch.GetElapsedTime(0), Scheduler(scheduler), host)
    {
    }

    /// <summary>A gate on a given clock and timer (tests drive both).</summary>
    internal LocalAccountGate(double ratePerSecond, int maxInFlight, Func<TimeSpan> clock, Action<TimeSpan, Action> scheduleOnce, IActorRef? host = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ratePerSecond, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        _scheduleOnce = scheduleOnce ?? throw new ArgumentNullException(nameof(scheduleOnce));
        _host = host;
        Rate = ratePerSecond;
        MaxInFlight = maxInFlight;
        _interval = Math.Max(1, (long)(TimeSpan.TicksPerSecond / ratePerSecond));
        _burstWindow = (long)(Burst * TimeSpan.TicksPerSecond / ratePerSecond);
        _theoreticalArrival = _clock().Ticks; // a full bucket
        _tick = OnTick;
    }

    public double Rate { get; }

    public int MaxInFlight { get; }

    /// <summary>50 ms worth of permits and never less than 2, as <see cref="ConnectPermits{T}.Burst"/>.</summary>
    public double Burst => Math.Max(2, Rate * 0.05);

    /// <summary>Requests waiting for a permit.</summary>
    public int Waiting => _waiting.Count;

    /// <summary>Permits held now (granted and not given back).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Accounts known to the gate (added by the host, or seen in a call, until they stop).</summary>
    public int Accounts => Volatile.Read(ref _accounts);

    /// <summary>The host made an account: it counts as disconnected until it says otherwise.</summary>
    public void Add(AccountId id) => EntryOf(id);

    /// <summary>Accounts per state, from the counters (no fan-out, no mailbox).</summary>
    public SupervisorStatus Status()
    {
        var counts = new Dictionary<ConnectionStatus, int>();
        for (var i = 0; i < _counts.Length; i++)
        {
            var n = Volatile.Read(ref _counts[i]);
            if (n > 0)
            {
                counts[(ConnectionStatus)i] = n;
            }
        }
        return new SupervisorStatus(Accounts, counts);
    }

    public void RequestPermit(IActorRef account, AccountId id, int generation)
    {
        var entry = EntryOf(id);
        // Nobody waiting: the common case of a ramp within the bound, granted on the caller's thread.
        if (_waiting.IsEmpty && TryAcquire(out _))
        {
            Grant(new Waiter(account, entry, generation));
            return;
        }
        _waiting.Enqueue(new Waiter(account, entry, generation));
        Drain();
    }

    public void ReleasePermit(IActorRef account, AccountId id)
    {
        if (_entries.TryGetValue(id, out var entry) && TakeOne(entry))
        {
            Interlocked.Decrement(ref _inFlight);
            Drain();
        }
    }

    public void StatusChanged(IActorRef account, AccountId id, ConnectionStatus status)
    {
        var entry = EntryOf(id);
        var previous = Interlocked.Exchange(ref entry.Status, (int)status);
        if (previous != (int)status)
        {
            Interlocked.Increment(ref _counts[(int)status]);
            Interlocked.Decrement(ref _counts[previous]);
        }
    }

    public void Restarted(IActorRef account, AccountId id) => _host?.Tell(new AccountRestarted(id), account);

    public void Stopped(IActorRef account, AccountId id)
    {
        if (!_entries.TryRemove(id, out var entry))
        {
            return;
        }
        Volatile.Write(ref entry.Stopped, true);
        Interlocked.Decrement(ref _counts[Volatile.Read(ref entry.Status)]);
        Interlocked.Decrement(ref _accounts);
        if (GiveBackAll(entry))
        {
            Drain();
        }
    }

    private Entry EntryOf(AccountId id)
    {
        if (_entries.TryGetValue(id, out var entry))
        {
            return entry;
        }
        var created = new Entry();
        entry = _entries.GetOrAdd(id, created);
        if (ReferenceEquals(entry, created))
        {
            Interlocked.Increment(ref _accounts);
            Interlocked.Increment(ref _counts[(int)ConnectionStatus.Disconnected]);
        }
        return entry;
    }

    private void Grant(Waiter waiter)
    {
        var entry = waiter.Entry;
        Interlocked.Increment(ref entry.Held);
        if (Volatile.Read(ref entry.Stopped))
        {
            // It stopped while being granted: whichever of the two takes the count back frees the slot.
            if (GiveBackAll(entry))
            {
                Drain();
            }
            return;
        }
        waiter.Account.Tell(new PermitGranted(waiter.Generation), ActorRefs.NoSender);
    }

    /// <summary>One permit back from <paramref name="entry"/>; false when it held none.</summary>
    private static bool TakeOne(Entry entry)
    {
        while (true)
        {
            var held = Volatile.Read(ref entry.Held);
            if (held <= 0)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref entry.Held, held - 1, held) == held)
            {
                return true;
            }
        }
    }

    private bool GiveBackAll(Entry entry)
    {
        var held = Interlocked.Exchange(ref entry.Held, 0);
        if (held <= 0)
        {
            return false;
        }
        Interlocked.Add(ref _inFlight, -held);
        return true;
    }

    /// <summary>A slot under the bound and a token of the rate, or neither; <paramref name="rateLimited"/> says which refused.</summary>
    private bool TryAcquire(out bool rateLimited)
    {
        rateLimited = false;
        while (true)
        {
            var inFlight = Volatile.Read(ref _inFlight);
            if (inFlight >= MaxInFlight)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _inFlight, inFlight + 1, inFlight) == inFlight)
            {
                break;
            }
        }
        var now = _clock().Ticks;
        while (true)
        {
            var arrival = Interlocked.Read(ref _theoreticalArrival);
            var next = Math.Max(arrival, now) + _interval;
            if (next - now > _burstWindow)
            {
                Interlocked.Decrement(ref _inFlight);
                rateLimited = true;
                return false;
            }
            if (Interlocked.CompareExchange(ref _theoreticalArrival, next, arrival) == arrival)
            {
                return true;
            }
        }
    }

    /// <summary>Grants to the waiting in order while permits allow; one thread drains at a time, and none leaves a grantable request behind.</summary>
    private void Drain()
    {
        while (!_waiting.IsEmpty && Interlocked.CompareExchange(ref _draining, 1, 0) == 0)
        {
            var rateLimited = false;
            try
            {
                while (_waiting.TryPeek(out var waiter))
                {
                    if (Volatile.Read(ref waiter.Entry.Stopped))
                    {
                        _waiting.TryDequeue(out _); // its account is gone
                        continue;
                    }
                    if (!TryAcquire(out rateLimited))
                    {
                        break;
                    }
                    _waiting.TryDequeue(out _); // only the drainer takes from the queue: it is the one peeked
                    Grant(waiter);
                }
            }
            finally
            {
                Volatile.Write(ref _draining, 0);
            }
            if (rateLimited)
            {
                ScheduleTick();
                return;
            }
            if (Volatile.Read(ref _inFlight) >= MaxInFlight)
            {
                // The bound holds them; a release drains again. Checked after letting go of the
                // drain, so a release that came while it was held is not lost.
                return;
            }
        }
    }

    private void ScheduleTick()
    {
        if (Interlocked.CompareExchange(ref _tickPending, 1, 0) != 0)
        {
            return;
        }
        // When the next token is due, and no sooner than the scheduler can tell apart.
        var due = TimeSpan.FromTicks(Interlocked.Read(ref _theoreticalArrival) + _interval - _burstWindow - _clock().Ticks);
        _scheduleOnce(due < MinTick ? MinTick : due, _tick);
    }

    private void OnTick()
    {
        Volatile.Write(ref _tickPending, 0);
        Drain();
    }

    private static Action<TimeSpan, Action> Scheduler(IScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        return (delay, action) => scheduler.Advanced.ScheduleOnce(delay, action);
    }

    /// <summary>What the gate keeps of one account: its state and the permits it holds (0 or 1, more only in a race it then gives back).</summary>
    private sealed class Entry
    {
        public int Status = (int)ConnectionStatus.Disconnected;
        public int Held;
        public bool Stopped;
    }

    private readonly record struct Waiter(IActorRef Account, Entry Entry, int Generation);
}
