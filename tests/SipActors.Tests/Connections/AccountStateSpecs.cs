using SipActors.Connections;
using SipActors.Events;
using SipActors.Sip.Registration;

namespace SipActors.Tests.Connections;

/// <summary>The account's state machine without an ActorSystem: each transition's next state and events (CONTRACT.md §2).</summary>
public sealed class AccountStateSpecs
{
    private static readonly DateTimeOffset T = new(2026, 11, 25, 7, 0, 0, TimeSpan.Zero);

    private static readonly ConnectionParameters Parameters = new()
    {
        SipServerIp = "example.test", SipServerUrl = "udp://127.0.0.1:5060", Register = true, User = "alice", Password = "pw-alice",
        ConnectionRecoveryMinInterval = 2, ConnectionRecoveryMaxInterval = 6,
    };

    private static readonly ConnectionConfiguration Configuration = new("example.test", "udp://127.0.0.1:5060", "", true, "alice", "pw-alice", "<sip:alice@127.0.0.1:40000>", "127.0.0.1:40000");

    private static readonly RegistrationResult Ok = new() { Success = true, StatusCode = 200, ReasonPhrase = "OK", GrantedExpires = 300, Contact = "<sip:alice@127.0.0.1:40000>" };

    private static List<string> Topics(AccountTransition transition) => [.. transition.Events.Select(e => e.Topic)];

    /// <summary>Connect, resolve, attempt, transport up, registered: the state a registered account is in.</summary>
    private static (AccountState State, List<string> Topics) Register()
    {
        var topics = new List<string>();
        var state = AccountState.Initial("alice");
        foreach (var step in new Func<AccountState, AccountTransition>[]
        {
            s => s.ConnectStarted(T),
            s => s.ParametersResolved(Parameters, T),
            s => new AccountTransition(s.AttemptDue(), []),
            s => s.AttemptStarted("udp://127.0.0.1:5060", T),
            s => s.TransportOpened(Configuration, "udp://127.0.0.1:5060", "127.0.0.1:40000", T),
            s => s.RegistrationSucceeded(Ok, T),
            s => s.ConnectCompleted(T),
        })
        {
            var transition = step(state);
            state = transition.State;
            topics.AddRange(Topics(transition));
        }
        return (state, topics);
    }

    [Fact]
    public void Should_publish_the_connect_sequence_with_registered_and_end_registered()
    {
        var (state, topics) = Register();

        Assert.Equal(
        [
            ConnectionTopics.ConnectStarted, ConnectionTopics.ConnectParametersResolveSuccess, ConnectionTopics.Connecting,
            ConnectionTopics.ConnectedWithConfiguration, ConnectionTopics.Connected, ConnectionTopics.Registered, ConnectionTopics.ConnectSucceeded,
        ], topics);
        Assert.Equal((ConnectionStatus.Registered, true, true, false, 2), (state.Status, state.TransportUp, state.Registered, state.Recovering, state.Generation));
    }

    [Fact]
    public void Should_refresh_silently()
    {
        var (state, _) = Register();

        var refreshed = state.RegistrationSucceeded(Ok, T);

        Assert.Empty(refreshed.Events);
        Assert.Equal(ConnectionStatus.Registered, refreshed.State.Status);
    }

    [Fact]
    public void Should_publish_disconnected_then_unregistered_on_a_loss_and_recover_without_connect_events()
    {
        var (state, _) = Register();

        var lost = state.TransportLost("connection reset", T);
        var scheduled = lost.State.RecoveryScheduled();
        var attempt = scheduled.AttemptDue().AttemptStarted("udp://127.0.0.1:5060", T);
        var up = attempt.State.TransportOpened(Configuration, "udp://127.0.0.1:5060", null, T);
        var registered = up.State.RegistrationSucceeded(Ok, T);
        var done = registered.State.ConnectCompleted(T);

        Assert.Equal([ConnectionTopics.Disconnected, ConnectionTopics.Unregistered], Topics(lost));
        Assert.True(((Disconnected)lost.Events[0]).Error);
        Assert.Equal((ConnectionStatus.Connecting, false, false, true), (lost.State.Status, lost.State.TransportUp, lost.State.Registered, lost.State.Recovering));
        Assert.Equal(1, ((Connecting)attempt.Events[0]).Attempt);
        Assert.Equal([ConnectionTopics.Registered], Topics(registered));
        Assert.Empty(done.Events); // a recovery publishes no connect-succeeded
        Assert.Equal((false, 0), (done.State.Recovering, done.State.Attempt));
    }

    [Fact]
    public void Should_publish_disconnecting_unregistered_disconnected_on_a_teardown_of_a_registered_account()
    {
        var (state, _) = Register();

        var started = state.TeardownStarted(T);
        var finished = started.State.TeardownFinished(wasRegistered: true, Ok with { GrantedExpires = 0 }, T);

        Assert.Equal([ConnectionTopics.Disconnecting], Topics(started));
        Assert.Equal(state.Generation + 1, started.State.Generation); // results of the old attempt are now stale
        Assert.Equal([ConnectionTopics.Unregistered, ConnectionTopics.Disconnected], Topics(finished));
        Assert.Equal((200, "Unregistered"), (((Unregistered)finished.Events[0]).StatusCode, ((Unregistered)finished.Events[0]).Cause));
        Assert.Equal(ConnectionStatus.Disconnected, finished.State.Status);
    }

    [Fact]
    public void Should_publish_only_disconnected_after_disconnecting_when_not_registered()
    {
        var state = AccountState.Initial("bob").ConnectStarted(T).State.TransportOpened(Configuration, "udp://x:5060", null, T).State;

        var finished = state.TeardownStarted(T).State.TeardownFinished(wasRegistered: false, null, T);

        Assert.Equal([ConnectionTopics.Disconnected], Topics(finished));
    }

    [Fact]
    public void Should_stop_recovering_and_say_why_when_the_server_refuses_the_account()
    {
        var (state, _) = Register();

        var abandoned = state.TransportLost("lost", T).State.RecoveryAbandoned(RegistrationFailureCause.AuthenticationError, T);

        Assert.Equal([ConnectionTopics.Disconnected], Topics(abandoned));
        Assert.Equal("Authentication Error", ((Disconnected)abandoned.Events[0]).Reason);
        Assert.Equal((ConnectionStatus.Disconnected, false), (abandoned.State.Status, abandoned.State.Recovering));
    }

    [Theory]
    [InlineData(1, 0.0, 2.0)]
    [InlineData(1, 0.99, 2.0)]   // first attempt: the minimum
    [InlineData(2, 0.5, 3.0)]    // ceiling 4 s
    [InlineData(3, 0.999, 5.996)] // ceiling 8 s capped at the 6 s maximum
    [InlineData(10, 1.0, 6.0)]
    public void Should_back_off_between_the_recovery_bounds(int attempt, double unit, double seconds)
    {
        var state = AccountState.Initial("a") with { Parameters = Parameters };

        Assert.Equal(seconds, state.Backoff(attempt, unit).TotalSeconds, 3);
    }

    [Fact]
    public void Should_publish_the_loss_events_when_the_account_crashes()
    {
        var (state, _) = Register();

        var crashed = state.Crashed(new InvalidOperationException("boom"), T);

        Assert.Equal([ConnectionTopics.Disconnected, ConnectionTopics.Unregistered], Topics(crashed));
        Assert.Contains("InvalidOperationException: boom", ((Disconnected)crashed.Events[0]).Reason, StringComparison.Ordinal);
        Assert.Empty(AccountState.Initial("idle").Crashed(new InvalidOperationException("boom"), T).Events);
    }
}
