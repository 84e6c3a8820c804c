using Akka.Actor;
using Akka.Configuration;
using SipActors.Cli.Load;
using SipActors.Events;

namespace SipActors.Cli.Tests.Load;

/// <summary>What a load run counts from the events: failure causes with their status, registered now, losses, re-registrations.</summary>
public sealed class LoadStatisticsActorSpecs : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly DateTimeOffset At = DateTimeOffset.UnixEpoch.AddDays(1);
    private readonly ActorSystem _system = ActorSystem.Create("statistics-spec", ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
    private IActorRef _statistics = ActorRefs.Nobody;

    public Task InitializeAsync()
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal) { ["a"] = 0, ["b"] = 1, ["c"] = 2, ["d"] = 3 };
        _statistics = _system.ActorOf(LoadStatisticsActor.Props(index, new TaskCompletionSource()));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _system.Terminate();

    [Fact]
    public async Task Should_count_sip_failure_codes_per_status()
    {
        Fail("a", 503, "SIP Failure Code");
        Fail("b", 503, "SIP Failure Code");
        Fail("c", 500, "SIP Failure Code");
        Fail("d", 401, "Authentication Error");

        var progress = await ProgressAsync();
        var statistics = await _statistics.Ask<LoadStatistics>(GetLoadStatistics.Instance, Timeout);

        var expected = new Dictionary<string, int> { ["SIP Failure Code (503)"] = 2, ["SIP Failure Code (500)"] = 1, ["Authentication Error"] = 1 };
        Assert.Equal(expected, progress.FailuresByCause);
        Assert.Equal(expected, statistics.FailuresByCause);
        Assert.Equal(4, progress.Failed);
    }

    [Fact]
    public async Task Should_follow_registered_now_losses_and_re_registrations()
    {
        Register("a");
        Register("b");
        Assert.Equal((2, 2, 0, 0), Figures(await ProgressAsync()));

        // a's flow breaks: disconnected, unregistered (Connection Error), no disconnect asked for.
        Tell(new Disconnected("a", At, true, "connection lost"), new Unregistered("a", At, null, "Connection Error"));
        Assert.Equal((2, 1, 1, 0), Figures(await ProgressAsync()));

        // a recovers.
        Tell(new Connecting("a", At, 1, "tcp://127.0.0.1:5060"));
        Register("a");
        Assert.Equal((2, 2, 1, 1), Figures(await ProgressAsync()));

        // The run un-registers a: asked for, so not a loss.
        Tell(new Disconnecting("a", At), new Unregistered("a", At, 200, "Unregistered"), new Disconnected("a", At, false, "disconnect"));
        var progress = await ProgressAsync();
        Assert.Equal((2, 1, 1, 1), Figures(progress));
        Assert.Equal(1, progress.Unregistered);
    }

    private static (int Registered, int RegisteredNow, int Losses, int Reregistrations) Figures(LoadProgress p)
        => (p.Registered, p.RegisteredNow, p.Losses, p.Reregistrations);

    private void Register(string account)
        => Tell(new Connecting(account, At, 0, "tcp://127.0.0.1:5060"), new Registered(account, At, 200, "OK", 300, "<sip:x@127.0.0.1>"));

    private void Fail(string account, int status, string cause)
        => Tell(new ConnectStarted(account, At), new Connecting(account, At, 0, "udp://127.0.0.1:5060"),
            new RegistrationFailed(account, At, status, cause), new ConnectFailed(account, At, $"registration failed: {status}", cause));

    private void Tell(params ConnectionEvent[] events)
    {
        foreach (var e in events)
        {
            _statistics.Tell(e);
        }
    }

    private Task<LoadProgress> ProgressAsync() => _statistics.Ask<LoadProgress>(GetLoadProgress.Instance, Timeout);
}
