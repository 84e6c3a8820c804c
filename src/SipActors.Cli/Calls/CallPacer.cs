using Akka.Actor;

namespace SipActors.Cli.Calls;

/// <summary>
/// The one clock that tells a run's <see cref="CallsDriverActor"/> to place the calls due, every
/// millisecond: the Akka scheduler ticks every 10 ms, so a driver on its timers sent the calls of
/// 10 ms at once (24 INVITEs together at 2,400/s), and the bursts overflowed the receive buffers
/// of Kamailio and of the shared socket (SIPp paces at 1 ms, <c>-rp 1000</c>). One
/// <see cref="PeriodicTimer"/> for the run (not a thread, not a timer per account); the driver
/// counts what is due from its own stopwatch, so a late or missed tick only shifts the next batch.
/// </summary>
internal sealed class CallPacer : IDisposable
{
    /// <summary>The pace: SIPp's <c>-rp 1000</c> granularity.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(1);

    private readonly PeriodicTimer _timer;
    private int _unread;

    private CallPacer(TimeSpan interval) => _timer = new PeriodicTimer(interval);

    /// <summary>Starts telling <paramref name="driver"/> <paramref name="tick"/> every <paramref name="interval"/> until disposed.</summary>
    public static CallPacer Start(IActorRef driver, object tick, TimeSpan interval)
    {
        var pacer = new CallPacer(interval);
        _ = pacer.RunAsync(driver, tick);
        return pacer;
    }

    private async Task RunAsync(IActorRef driver, object tick)
    {
        // WaitForNextTickAsync returns false once the timer is disposed: the loop ends with the run.
        while (await _timer.WaitForNextTickAsync().ConfigureAwait(false))
        {
            // One tick in the mailbox at most: a driver busy with events finds one, not a backlog of them.
            if (Interlocked.Exchange(ref _unread, 1) == 0)
            {
                driver.Tell(tick, ActorRefs.NoSender);
            }
        }
    }

    /// <summary>The driver took the tick: the next one may be sent.</summary>
    public void Taken() => Volatile.Write(ref _unread, 0);

    public void Dispose() => _timer.Dispose();
}
