using Akka.Actor;
using SipActors.Calls;
using SipActors.Cli.Calls;
using SipActors.Cli.Load;
using SipActors.Connections;
using SipActors.Events;

namespace SipActors.Cli.Tests.Calls;

/// <summary>
/// The calls driver's accounting of a call the stop hangs up before its answer came in: a 487 to
/// the CANCEL is a call cancelled at the end; a 2xx that crossed the CANCEL (RFC 3261 §9.1, the
/// session ends with a BYE) is a call answered and completed, as the callee and the INVITE and BYE
/// counts see it.
/// </summary>
public sealed class CallsDriverActorSpecs : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly AccountId Caller = new("caller");
    private static readonly AccountId Callee = new("callee");
    private readonly ActorSystem _system = ActorSystem.Create("calls-driver-specs", "akka.loglevel = WARNING");

    public void Dispose() => _system.Dispose();

    [Theory]
    [InlineData(200, 1, 1, 0)]
    [InlineData(487, 0, 0, 1)]
    public async Task Should_count_a_call_hung_up_at_the_stop_by_how_its_invite_ended(int status, long answered, long completed, long cancelledAtStop)
    {
        var placed = new TaskCompletionSource<Call>(TaskCreationOptions.RunContinuationsAsynchronously);
        var hungUp = new TaskCompletionSource<HangUp>(TaskCreationOptions.RunContinuationsAsynchronously);
        var supervisor = _system.ActorOf(Props.Create(() => new Recorder<Call>(placed)));
        var session = _system.ActorOf(Props.Create(() => new Recorder<HangUp>(hungUp)));
        var options = new CallsOptions { Accounts = [], Rate = Rate("100"), MaxCalls = 1 };
        var driver = _system.ActorOf(CallsDriverActor.Props(supervisor, options));
        foreach (var account in new[] { Caller, Callee })
        {
            driver.Tell(new Registered(account, DateTimeOffset.UtcNow, 200, "OK", 3600, $"sip:{account.Value}@127.0.0.1"));
        }

        var started = await driver.Ask<CallingStarted>(new StartCalling([Caller], [new CallTarget(Callee, "sip:callee@127.0.0.1")]), Bound);
        Assert.Equal((1, 1), (started.Callers, started.Targets));
        var call = await placed.Task.WaitAsync(Bound);
        Assert.Equal(Caller, call.Account);
        driver.Tell(new NewRtcSession(Caller, DateTimeOffset.UtcNow, new CallSession(Caller, "call-1", "local", "sip:caller@127.0.0.1", call.Target, session), null!));
        driver.Tell(StopCalling.Instance);
        await hungUp.Task.WaitAsync(Bound);
        driver.Tell(new SessionEnded(Caller, DateTimeOffset.UtcNow, "call-1", "local", SessionEndCauses.Canceled, status, status == 200 ? "OK" : "Request Terminated"));

        var progress = (await driver.Ask<CallsStatistics>(GetCallsStatistics.Instance, Bound)).Progress;
        Assert.Equal((1L, answered, completed, cancelledAtStop, 0L, 0), (progress.Attempted, progress.Answered, progress.Completed, progress.CancelledAtStop, progress.Failed, progress.Up));
    }

    private static RateProfile Rate(string text)
    {
        Assert.True(RateProfile.TryParse(text, out var profile, out var error), error);
        return profile;
    }

    /// <summary>Hears one kind of message, answers it as an account would, and hands the first over.</summary>
    private sealed class Recorder<T> : ReceiveActor
    {
        public Recorder(TaskCompletionSource<T> first) => Receive<T>(message =>
        {
            Sender.Tell(new CommandResult(Caller, CommandStatus.Ok));
            first.TrySetResult(message);
        });
    }
}
