using Akka.Actor;
using Akka.Event;
using SipActors.Connections;

namespace SipActors.Hosting.Diagnostics;

/// <summary>
/// Keeps the accounts-per-state gauge's snapshot fresh by asking the supervisor on a timer: the
/// supervisor already keeps the counts, so a question costs one message, never a fan-out.
/// </summary>
internal sealed class SupervisorStatusPoller : ReceiveActor, IWithTimers
{
    private const string PollTimer = "poll";
    private readonly TimeSpan _interval;

    public SupervisorStatusPoller(IActorRef supervisor, SipActorsInstruments instruments, TimeSpan interval)
    {
        Receive<Poll>(_ => supervisor.Tell(GetSupervisorStatus.Instance, Self));
        Receive<SupervisorStatus>(status => instruments.Status = status);
        _interval = interval;
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        Self.Tell(Poll.Instance);
        Timers.StartPeriodicTimer(PollTimer, Poll.Instance, _interval);
    }

    public static Props Props(IActorRef supervisor, SipActorsInstruments instruments, TimeSpan interval)
        => Akka.Actor.Props.Create(() => new SupervisorStatusPoller(supervisor, instruments, interval));

    private sealed class Poll : INotInfluenceReceiveTimeout, IDeadLetterSuppression
    {
        public static readonly Poll Instance = new();
        private Poll() { }
    }
}
