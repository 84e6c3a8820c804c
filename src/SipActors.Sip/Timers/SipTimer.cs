namespace SipActors.Sip.Timers;

/// <summary>
/// One pending deadline on a <see cref="SipTimerWheel"/>. Cancelling is O(1) and safe from any
/// thread, also after the timer fired (then it does nothing).
/// </summary>
public sealed class SipTimer
{
    private readonly SipTimerWheel _wheel;

    internal SipTimer(SipTimerWheel wheel, long dueTick, Action<object?> callback, object? state)
    {
        _wheel = wheel;
        DueTick = dueTick;
        Callback = callback;
        State = state;
    }

    internal long DueTick;
    internal int Slot = -1;
    internal SipTimer? Next;
    internal SipTimer? Previous;
    internal readonly Action<object?> Callback;
    internal readonly object? State;

    /// <summary>True while scheduled: not yet fired and not cancelled.</summary>
    public bool IsPending => Slot >= 0;

    /// <summary>Removes the timer if it has not fired yet.</summary>
    public void Cancel() => _wheel.Cancel(this);
}
