namespace SipActors.Sip.Timers;

/// <summary>
/// One pending deadline on a <see cref="SipTimerWheel"/>. Cancelling is one atomic flag flip, safe
/// from any thread and after the timer fired (then it does nothing); the wheel drops cancelled
/// timers when its hand reaches them.
/// </summary>
public sealed class SipTimer
{
    private const int Pending = 0;
    private const int Fired = 1;
    private const int Cancelled = 2;

    private readonly SipTimerWheel _wheel;
    private int _state;

    internal SipTimer(SipTimerWheel wheel, long dueTick, Action<object?> callback, object? state)
    {
        _wheel = wheel;
        DueTick = dueTick;
        Callback = callback;
        State = state;
    }

    private static readonly Action<object?> Dropped = static _ => { };

    internal readonly long DueTick;

    // Let go when the timer is cancelled: a cancelled timer stays linked until the wheel's hand
    // passes its slot (up to 64*T1 for Timer F), and its state is a whole transaction with its
    // request and response. Held, ~1 KB per registration outlived the ramp and was promoted by the GC.
    internal Action<object?> Callback;
    internal object? State;

    // Only the wheel's ticking thread touches the links.
    internal SipTimer? Next;
    internal SipTimer? Previous;
    internal int Slot = -1;

    /// <summary>True while scheduled: not yet fired and not cancelled.</summary>
    public bool IsPending => Volatile.Read(ref _state) == Pending;

    internal bool IsCancelled => Volatile.Read(ref _state) == Cancelled;

    /// <summary>Stops the timer if it has not fired yet.</summary>
    public void Cancel()
    {
        if (Interlocked.CompareExchange(ref _state, Cancelled, Pending) == Pending)
        {
            // The wheel reads these only after TryFire, which a cancelled timer never passes.
            State = null;
            Callback = Dropped;
            _wheel.OnCancelled();
        }
    }

    /// <summary>Claims the timer for firing; false when it was cancelled first.</summary>
    internal bool TryFire() => Interlocked.CompareExchange(ref _state, Fired, Pending) == Pending;
}
