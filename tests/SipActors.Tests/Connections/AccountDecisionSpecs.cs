using SipActors.Connections;
using SipActors.Events;
using SipActors.Sip.Registration;

namespace SipActors.Tests.Connections;

/// <summary>
/// The orderings of CONTRACT.md §2 and the answers of §4, decided by <see cref="AccountState.Decide"/>
/// with no ActorSystem and no socket: each input's events, effects and answers, in order.
/// </summary>
public sealed class AccountDecisionSpecs
{
    private static readonly DateTimeOffset T = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);
    private const string Caller = "caller";
    private const string Other = "other caller";

    private static readonly ConnectionParameters Parameters = new()
    {
        SipServerIp = "example.test", SipServerUrl = "udp://127.0.0.1:5060", Register = true, User = "alice", Password = "pw-alice",
    };

    private static readonly RegistrationResult Ok = new() { Success = true, StatusCode = 200, ReasonPhrase = "OK", GrantedExpires = 300, Contact = "<sip:alice@127.0.0.1:40000>" };

    private static RegistrationResult Failed(int? status, RegistrationFailureCause cause, TimeSpan? retryAfter = null)
        => new() { Success = false, StatusCode = status, ReasonPhrase = "x", Cause = cause, Contact = "<sip:alice@127.0.0.1:40000>", RetryAfter = retryAfter };

    /// <summary>An account driven input by input, keeping every effect it was asked for.</summary>
    private sealed class Account
    {
        private readonly Random _random = new(7);

        public AccountState State { get; private set; } = AccountState.Initial("alice");

        public List<AccountEffect> Effects { get; } = [];

        public ConnectionActorSettings Settings { get; init; } = ConnectionActorSettings.Default;

        /// <summary>The effects of this input only.</summary>
        public List<AccountEffect> On(AccountInput input)
        {
            var decision = State.Decide(input, T, _random, Settings);
            State = decision.State;
            Effects.AddRange(decision.Effects);
            return [.. decision.Effects];
        }

        public List<AccountEffect> Command(IWithAccountId command, object? requester = null) => On(new CommandReceived(command, requester ?? Caller));

        public int Generation => State.Generation;

        /// <summary>The permit and the flow of the attempt in progress.</summary>
        public List<AccountEffect> GrantAndOpen()
        {
            var effects = On(new PermitGranted(Generation));
            effects.AddRange(On(new TransportOpened(Generation, "alice", "<sip:alice@127.0.0.1:40000>", "127.0.0.1:40000")));
            return effects;
        }

        public void Registered()
        {
            Command(new Connect("alice", Parameters));
            GrantAndOpen();
            On(new RegistrationCompleted(Generation, Ok, RegisterKind.Initial, null));
        }
    }

    private static List<string> Topics(IEnumerable<AccountEffect> effects) => [.. effects.OfType<Publish>().Select(p => p.Event.Topic)];

    private static CommandResult ReplyTo(object requester, IEnumerable<AccountEffect> effects)
        => Assert.IsType<CommandResult>(Assert.Single(effects.OfType<Reply>(), r => Equals(r.To, requester)).Message);

    private static T Single<T>(IEnumerable<AccountEffect> effects) => Assert.Single(effects.OfType<T>());

    [Fact]
    public void Should_decide_in_place_as_on_a_copy_and_never_change_a_state_it_decided_from()
    {
        // The actor decides on its own state in place (no copy per transition); Decide works on a
        // copy. Both must reach equal states with the same effects, and a decided-from state stays as it was.
        var steps = new Func<AccountState, AccountInput>[]
        {
            _ => new CommandReceived(new Connect("alice", Parameters), Caller),
            s => new PermitGranted(s.Generation),
            s => new TransportOpened(s.Generation, "alice", "<sip:alice@127.0.0.1:40000>", "127.0.0.1:40000"),
            s => new RegistrationCompleted(s.Generation, Ok, RegisterKind.Initial, null),
            _ => RefreshDue.Instance,
            s => new RegistrationCompleted(s.Generation, Failed(503, RegistrationFailureCause.SipFailureCode), RegisterKind.Refresh, null),
            _ => new CommandReceived(new Disconnect("alice"), Other),
            s => new TeardownCompleted(s.Generation, false, null, Other, null),
        };
        var (copiedRandom, ownedRandom) = (new Random(7), new Random(7));
        var copied = AccountState.Initial("alice");
        var owned = AccountState.Initial("alice");
        foreach (var step in steps)
        {
            var before = copied;
            var snapshot = before with { };
            var onCopy = before.Decide(step(before), T, copiedRandom, ConnectionActorSettings.Default);
            var inPlace = owned.DecideInPlace(step(owned), T, ownedRandom, ConnectionActorSettings.Default, []);

            Assert.Equal(snapshot, before);
            Assert.NotSame(before, onCopy.State);
            Assert.Same(owned, inPlace.State);
            Assert.Equal(onCopy.State, inPlace.State);
            Assert.Equal(onCopy.Effects.Select(e => e.GetType()), inPlace.Effects.Select(e => e.GetType()));
            Assert.Equal(Topics(onCopy.Effects), Topics(inPlace.Effects));
            copied = onCopy.State;
        }
        Assert.Equal(ConnectionStatus.Disconnected, owned.Status);
        Assert.Equal(AccountPhase.Idle, owned.Phase);
    }

    [Fact]
    public void Should_connect_without_register_in_the_contract_order_and_answer_once_connected()
    {
        var account = new Account();

        var started = account.Command(new Connect("alice", Parameters with { Register = false, User = null, Password = null }));
        var up = account.GrantAndOpen();

        Assert.Equal([ConnectionTopics.ConnectStarted, ConnectionTopics.ConnectParametersResolveSuccess], Topics(started));
        Assert.Equal(account.State.Generation, Single<RequestPermit>(started).Generation);
        Assert.InRange(int.Parse(Single<CreateUserAgent>(started).User, System.Globalization.CultureInfo.InvariantCulture), 100000, 99999999);
        Assert.Equal([ConnectionTopics.Connecting, ConnectionTopics.ConnectedWithConfiguration, ConnectionTopics.Connected, ConnectionTopics.ConnectSucceeded], Topics(up));
        Assert.Equal(CommandStatus.Ok, ReplyTo(Caller, up).Status);
        Assert.Empty(up.OfType<SendRegister>());
        Assert.Equal((AccountPhase.Connected, ConnectionStatus.Connected), (account.State.Phase, account.State.Status));
    }

    [Fact]
    public void Should_connect_with_register_publishing_registered_between_connected_and_connect_succeeded()
    {
        var account = new Account();

        account.Command(new Connect("alice", Parameters));
        var up = account.GrantAndOpen();
        var registered = account.On(new RegistrationCompleted(account.Generation, Ok, RegisterKind.Initial, null));

        Assert.Equal([ConnectionTopics.Connecting, ConnectionTopics.ConnectedWithConfiguration, ConnectionTopics.Connected], Topics(up));
        Assert.Equal(RegisterKind.Initial, Single<SendRegister>(up).Kind);
        Assert.Empty(up.OfType<Reply>());
        Assert.Equal([ConnectionTopics.Registered, ConnectionTopics.ConnectSucceeded], Topics(registered));
        Assert.Equal(CommandStatus.Ok, ReplyTo(Caller, registered).Status);
        Assert.InRange(Single<ScheduleRefresh>(registered).Delay.TotalSeconds, 150, 268); // spread in [E/2, E-32] (CONTRACT.md §5.7)
        Assert.Single(registered.OfType<ReleasePermit>());
        Assert.Equal(ConnectionStatus.Registered, account.State.Status);
    }

    [Fact]
    public void Should_disconnect_a_registered_account_with_disconnecting_unregistered_disconnected()
    {
        var account = new Account();
        account.Registered();

        var started = account.Command(new Disconnect("alice"));
        var teardown = Single<TearDown>(started);
        var finished = account.On(new TeardownCompleted(teardown.Generation, teardown.WasRegistered, Ok with { GrantedExpires = 0 }, teardown.Requester, teardown.Reply));

        Assert.Equal([ConnectionTopics.Disconnecting], Topics(started));
        Assert.True(teardown.WasRegistered);
        Assert.Contains(CancelRefresh.Instance, started);
        Assert.Equal([ConnectionTopics.Unregistered, ConnectionTopics.Disconnected], Topics(finished));
        Assert.Equal(CommandStatus.Ok, ReplyTo(Caller, finished).Status);
        Assert.Equal((AccountPhase.Idle, ConnectionStatus.Disconnected), (account.State.Phase, account.State.Status));
    }

    [Fact]
    public void Should_disconnect_an_unregistered_account_with_disconnecting_then_disconnected()
    {
        var account = new Account();
        account.Command(new Connect("alice", Parameters with { Register = false }));
        account.GrantAndOpen();

        var teardown = Single<TearDown>(account.Command(new Disconnect("alice")));
        var finished = account.On(new TeardownCompleted(teardown.Generation, teardown.WasRegistered, null, teardown.Requester, null));

        Assert.Equal([ConnectionTopics.Disconnected], Topics(finished));
        Assert.False(teardown.WasRegistered);
    }

    [Fact]
    public void Should_disconnect_the_old_connection_first_when_connecting_while_connected()
    {
        var account = new Account();
        account.Registered();

        var second = account.Command(new Connect("alice", Parameters), Other);
        var teardown = Single<TearDown>(second);
        var finished = account.On(new TeardownCompleted(teardown.Generation, true, Ok, null, null));
        var replayed = account.Command(new Connect("alice", Parameters), Other); // the deferred Connect, decided again

        Assert.Equal(Defer.Instance, second[0]);
        Assert.Equal([ConnectionTopics.Disconnecting], Topics(second));
        Assert.Equal([ConnectionTopics.Unregistered, ConnectionTopics.Disconnected], Topics(finished));
        Assert.Contains(ResumeDeferred.Instance, finished);
        Assert.Empty(finished.OfType<Reply>()); // the teardown was nobody's command
        Assert.Equal([ConnectionTopics.ConnectStarted, ConnectionTopics.ConnectParametersResolveSuccess], Topics(replayed));
    }

    [Fact]
    public void Should_fail_a_wrong_password_then_tear_down_and_answer_after_the_teardown()
    {
        var account = new Account();
        account.Command(new Connect("alice", Parameters with { Password = "wrong" }));
        account.GrantAndOpen();

        var failed = account.On(new RegistrationCompleted(account.Generation, Failed(401, RegistrationFailureCause.AuthenticationError), RegisterKind.Initial, null));
        var teardown = Single<TearDown>(failed);
        var finished = account.On(new TeardownCompleted(teardown.Generation, teardown.WasRegistered, null, teardown.Requester, teardown.Reply));

        Assert.Equal([ConnectionTopics.RegistrationFailed, ConnectionTopics.ConnectFailed, ConnectionTopics.Disconnecting], Topics(failed));
        var registrationFailed = (RegistrationFailed)failed.OfType<Publish>().First().Event;
        Assert.Equal((401, "Authentication Error"), (registrationFailed.StatusCode, registrationFailed.Cause));
        Assert.Empty(failed.OfType<Reply>());
        Assert.Equal([ConnectionTopics.Disconnected], Topics(finished));
        Assert.Equal(CommandStatus.Failed, ReplyTo(Caller, finished).Status);
        Assert.Empty(account.Effects.OfType<ScheduleRecovery>()); // no automatic retry
    }

    [Fact]
    public void Should_fail_a_connect_whose_provider_fails()
    {
        var account = new Account();

        var started = account.Command(new Connect("alice", Provider: _ => Task.FromResult(Parameters)));
        var failed = account.On(new ParametersFailed(Single<ResolveParameters>(started).Generation, "vault unreachable"));

        Assert.Equal([ConnectionTopics.ConnectStarted], Topics(started));
        Assert.Equal([ConnectionTopics.ConnectParametersResolveFailed, ConnectionTopics.ConnectFailed], Topics(failed));
        Assert.Equal("vault unreachable", ReplyTo(Caller, failed).Error);
        Assert.Equal(AccountPhase.Idle, account.State.Phase);
    }

    [Fact]
    public void Should_fail_invalid_parameters_naming_the_field()
    {
        var account = new Account();

        var effects = account.Command(new Connect("alice", Parameters with { Password = " " }));

        Assert.Equal([ConnectionTopics.ConnectStarted, ConnectionTopics.ConnectParametersResolveSuccess, ConnectionTopics.ConnectFailed], Topics(effects));
        Assert.Contains("Password", ReplyTo(Caller, effects).Error, StringComparison.Ordinal);
        Assert.Empty(effects.OfType<CreateUserAgent>());
    }

    [Fact]
    public void Should_tell_a_superseded_caller_so_and_decide_the_newer_connect_after()
    {
        var account = new Account();
        account.Command(new Connect("alice", Provider: _ => Task.FromResult(Parameters)), Caller);

        var superseding = account.Command(new Connect("alice", Parameters), Other);
        var stale = account.On(new ParametersResolved(account.Generation, Parameters)); // the old provider answers late

        Assert.Equal(CommandStatus.Superseded, ReplyTo(Caller, superseding).Status);
        Assert.Equal([Defer.Instance, DropUserAgent.Instance, ResumeDeferred.Instance], superseding.Where(e => e is not Reply));
        Assert.Empty(Topics(superseding)); // not connect-failed
        Assert.Empty(stale);
    }

    [Fact]
    public void Should_recover_a_lost_flow_without_connect_events_and_register_again()
    {
        var account = new Account();
        account.Registered();

        var lost = account.On(new TransportLost("connection reset"));
        var delay = Single<ScheduleRecovery>(lost).Delay;
        var due = account.On(RecoveryDue.Instance);
        var up = account.GrantAndOpen();
        var registered = account.On(new RegistrationCompleted(account.Generation, Ok, RegisterKind.Initial, null));

        Assert.Equal([ConnectionTopics.Disconnected, ConnectionTopics.Unregistered], Topics(lost));
        Assert.Contains(CloseTransport.Instance, lost);
        Assert.InRange(delay.TotalSeconds, 2, 6);
        Assert.Single(due.OfType<RequestPermit>()); // recoveries keep to the host's rate limit
        Assert.Equal(1, ((Connecting)up.OfType<Publish>().First().Event).Attempt);
        Assert.Equal([ConnectionTopics.Registered], Topics(registered));
        Assert.Empty(registered.OfType<Reply>());
        Assert.Equal((AccountPhase.Connected, false, 0), (account.State.Phase, account.State.Recovering, account.State.Attempt));
    }

    [Fact]
    public void Should_back_off_a_refresh_refused_with_retry_after_zero_instead_of_retrying_at_once()
    {
        var account = new Account();
        account.Registered();
        var delays = new List<TimeSpan>();

        account.On(RefreshDue.Instance);
        for (var failure = 0; failure < 8; failure++)
        {
            var failed = account.On(new RegistrationCompleted(account.Generation, Failed(503, RegistrationFailureCause.SipFailureCode, TimeSpan.Zero), RegisterKind.Refresh, null));
            delays.Add(Single<ScheduleRefresh>(failed).Delay);
            var due = account.On(RefreshDue.Instance);
            Assert.Empty(due.OfType<SendRegister>()); // a retry waits for a permit first
            Single<RequestPermit>(due);
            Assert.Equal(RegisterKind.Refresh, Single<SendRegister>(account.On(new PermitGranted(account.Generation))).Kind);
        }

        Assert.Single(Topics(account.Effects), t => t == ConnectionTopics.Unregistered); // the first failure ends the binding, later ones are quiet
        Assert.All(delays, d => Assert.True(d >= TimeSpan.FromSeconds(1), $"retried after {d}"));
        Assert.InRange(delays[0].TotalSeconds, 1, 2);
        Assert.InRange(delays[7].TotalSeconds, 128, 256); // 2 s x 2^7, half to full
        Assert.True(delays.Sum(d => d.TotalSeconds) > 250, "eight retries should take minutes, not seconds");
    }

    [Fact]
    public void Should_honour_a_long_retry_after_and_cap_the_backoff_in_minutes()
    {
        var account = new Account();
        account.Registered();
        account.On(RefreshDue.Instance);

        var afterRetryAfter = account.On(new RegistrationCompleted(account.Generation, Failed(503, RegistrationFailureCause.SipFailureCode, TimeSpan.FromSeconds(120)), RegisterKind.Refresh, null));

        Assert.Equal(TimeSpan.FromSeconds(120), Single<ScheduleRefresh>(afterRetryAfter).Delay);
        var backoff = RegistrationBackoff.Default;
        Assert.InRange(backoff.Delay(40, null, 0.999).TotalMinutes, 4.9, 5);
        Assert.Equal(TimeSpan.FromHours(1), backoff.Delay(1, TimeSpan.FromDays(2), 0));
    }

    [Fact]
    public void Should_register_again_after_a_retried_refresh_succeeds_and_give_the_permit_back()
    {
        var account = new Account();
        account.Registered();
        account.On(RefreshDue.Instance);
        account.On(new RegistrationCompleted(account.Generation, Failed(500, RegistrationFailureCause.SipFailureCode), RegisterKind.Refresh, null));
        account.On(RefreshDue.Instance);
        account.On(new PermitGranted(account.Generation));

        var back = account.On(new RegistrationCompleted(account.Generation, Ok, RegisterKind.Refresh, null));

        Assert.Equal([ConnectionTopics.Registered], Topics(back));
        Assert.Single(back.OfType<ReleasePermit>());
        Assert.Equal((0, false), (account.State.RegistrationFailures, account.State.HoldingPermit));
    }

    [Theory]
    [InlineData(401, RegistrationFailureCause.AuthenticationError)]
    [InlineData(403, RegistrationFailureCause.Rejected)]
    public void Should_stop_retrying_a_refresh_the_server_refuses_and_say_so(int status, RegistrationFailureCause cause)
    {
        var account = new Account();
        account.Registered();
        account.On(RefreshDue.Instance);

        var refused = account.On(new RegistrationCompleted(account.Generation, Failed(status, cause), RegisterKind.Refresh, null));

        Assert.Equal([ConnectionTopics.Unregistered], Topics(refused));
        Assert.Empty(refused.OfType<ScheduleRefresh>());
        Assert.Contains("not retrying", Single<Warn>(refused).Message, StringComparison.Ordinal);
        Assert.Equal(ConnectionStatus.Connected, account.State.Status); // the flow stays up (CONTRACT.md §5.3)
    }

    [Fact]
    public void Should_back_off_exponentially_when_a_recovering_server_answers_but_fails_the_register()
    {
        var account = new Account();
        account.Registered();
        account.On(new TransportLost("lost"));
        var delays = new List<TimeSpan>();

        for (var i = 0; i < 6; i++)
        {
            account.On(RecoveryDue.Instance);
            account.GrantAndOpen();
            var failed = account.On(new RegistrationCompleted(account.Generation, Failed(503, RegistrationFailureCause.SipFailureCode, TimeSpan.Zero), RegisterKind.Initial, null));
            Assert.Equal([ConnectionTopics.RegistrationFailed, ConnectionTopics.Disconnected], Topics(failed)); // no connect-failed during a recovery
            delays.Add(Single<ScheduleRecovery>(failed).Delay);
        }

        Assert.True(delays[5] > TimeSpan.FromSeconds(30), $"the sixth retry came after {delays[5]}");
    }

    [Fact]
    public void Should_stop_recovering_when_the_server_refuses_the_account()
    {
        var account = new Account();
        account.Registered();
        account.On(new TransportLost("lost"));
        account.On(RecoveryDue.Instance);
        account.GrantAndOpen();

        var refused = account.On(new RegistrationCompleted(account.Generation, Failed(403, RegistrationFailureCause.Rejected), RegisterKind.Initial, null));

        Assert.Equal([ConnectionTopics.RegistrationFailed, ConnectionTopics.Disconnected], Topics(refused));
        Assert.Empty(refused.OfType<ScheduleRecovery>());
        Assert.Equal(AccountPhase.Idle, account.State.Phase);
    }

    [Fact]
    public void Should_answer_register_and_unregister_by_state_without_sip_work_where_none_is_needed()
    {
        var account = new Account();

        Assert.Equal(CommandStatus.NoOp, ReplyTo(Caller, account.Command(new Unregister("alice"))).Status);
        Assert.Equal(CommandStatus.NoOp, ReplyTo(Caller, account.Command(new Disconnect("alice"))).Status);
        Assert.Contains("send Connect first", ReplyTo(Caller, account.Command(new Register("alice"))).Error, StringComparison.Ordinal);

        account.Registered();
        Assert.Equal(CommandStatus.NoOp, ReplyTo(Caller, account.Command(new Register("alice"))).Status);
        var unregister = account.Command(new Unregister("alice"));
        Assert.Contains(CancelRefresh.Instance, unregister);
        var sent = Single<SendUnregister>(unregister);
        var done = account.On(new UnregistrationCompleted(sent.Generation, Ok with { GrantedExpires = 0 }, sent.Requester));
        Assert.Equal([ConnectionTopics.Unregistered], Topics(done));
        Assert.Equal(CommandStatus.NoOp, ReplyTo(Caller, account.Command(new Unregister("alice"))).Status);
        Assert.Equal(RegisterKind.Command, Single<SendRegister>(account.Command(new Register("alice"))).Kind);
    }

    [Fact]
    public void Should_stop_a_pending_refresh_retry_on_an_unregister_command()
    {
        var account = new Account();
        account.Registered();
        account.On(RefreshDue.Instance);
        account.On(new RegistrationCompleted(account.Generation, Failed(503, RegistrationFailureCause.SipFailureCode), RegisterKind.Refresh, null));

        var unregister = account.Command(new Unregister("alice"));

        Assert.Contains(CancelRefresh.Instance, unregister);
        Assert.Equal(CommandStatus.NoOp, ReplyTo(Caller, unregister).Status); // already not registered
        Assert.Equal(0, account.State.RegistrationFailures);
    }

    [Fact]
    public void Should_defer_commands_during_a_connect_and_answer_them_at_once_while_recovering()
    {
        var account = new Account();
        account.Command(new Connect("alice", Parameters));

        Assert.Equal([Defer.Instance], account.Command(new Register("alice"), Other));
        Assert.Equal([Defer.Instance], account.Command(new SendMessage("alice", "sip:bob@example.test", "hi"), Other));

        account.GrantAndOpen();
        account.On(new RegistrationCompleted(account.Generation, Ok, RegisterKind.Initial, null));
        account.On(new TransportLost("lost"));
        Assert.Contains("recovering", ReplyTo(Other, account.Command(new Register("alice"), Other)).Error, StringComparison.Ordinal);
        Assert.Equal(CommandStatus.Failed, ReplyTo(Other, account.Command(new Ping("alice"), Other)).Status);
        Assert.Equal(CommandStatus.NoOp, ReplyTo(Other, account.Command(new Unregister("alice"), Other)).Status);
    }

    [Fact]
    public void Should_cancel_a_connect_on_disconnect_and_tell_its_caller_it_was_superseded()
    {
        var account = new Account();
        account.Command(new Connect("alice", Parameters));
        account.GrantAndOpen(); // REGISTER in flight

        var disconnect = account.Command(new Disconnect("alice"), Other);

        Assert.Equal(CommandStatus.Superseded, ReplyTo(Caller, disconnect).Status);
        Assert.Equal([ConnectionTopics.Disconnecting], Topics(disconnect));
        Assert.Single(disconnect.OfType<ReleasePermit>());
        Assert.Equal(Other, Single<TearDown>(disconnect).Requester);
    }

    [Fact]
    public void Should_drop_stale_results_and_give_back_a_permit_granted_too_late()
    {
        var account = new Account();
        account.Registered();
        var old = account.Generation;
        account.On(new TransportLost("lost"));
        account.On(RecoveryDue.Instance);

        Assert.Empty(account.On(new TransportOpened(old, "alice", null, null)));
        Assert.Empty(account.On(new RegistrationCompleted(old, Ok, RegisterKind.Initial, null)));
        Assert.Equal([ReleasePermit.Instance], account.On(new PermitGranted(old)));
        Assert.Empty(account.On(RefreshDue.Instance)); // a refresh tick while recovering
    }

    [Fact]
    public void Should_refuse_an_invite_unless_the_account_can_take_a_call()
    {
        var idle = new Account();
        var ignoring = new Account();
        ignoring.Command(new Connect("alice", Parameters with { IncomingCalls = SipActors.Calls.IncomingCallPolicy.IgnoreEvent }));
        var ready = new Account();
        ready.Registered();

        Assert.Equal(480, Single<RefuseInvite>(idle.On(new InviteReceived(null!))).StatusCode);
        Assert.Equal(405, Single<RefuseInvite>(ignoring.On(new InviteReceived(null!))).StatusCode);
        Single<AcceptInvite>(ready.On(new InviteReceived(null!)));
    }

    [Fact]
    public void Should_answer_get_state_in_every_phase()
    {
        var account = new Account();

        Assert.IsType<ConnectionStateResult>(Assert.Single(account.Command(new GetState("alice")).OfType<Reply>()).Message);
        account.Registered();
        var state = Assert.IsType<ConnectionStateResult>(Assert.Single(account.Command(new GetState("alice")).OfType<Reply>()).Message);
        Assert.Equal(ConnectionStatus.Registered, state.Status);
        Assert.Equal("<sip:alice@127.0.0.1:40000>", state.Configuration!.Contact);
    }

    [Fact]
    public void Should_fail_a_transient_first_registration_then_retry_as_a_recovery_when_asked_to()
    {
        var account = new Account();
        account.Command(new Connect("alice", Parameters with { RetryConnect = true }));
        account.GrantAndOpen();

        var failed = account.On(new RegistrationCompleted(account.Generation, Failed(503, RegistrationFailureCause.SipFailureCode, TimeSpan.FromSeconds(30)), RegisterKind.Initial, null));
        account.On(RecoveryDue.Instance);
        account.GrantAndOpen();
        var registered = account.On(new RegistrationCompleted(account.Generation, Ok, RegisterKind.Initial, null));

        Assert.Equal([ConnectionTopics.RegistrationFailed, ConnectionTopics.ConnectFailed, ConnectionTopics.Disconnected], Topics(failed));
        Assert.Contains("retrying", ReplyTo(Caller, failed).Error, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(30), Single<ScheduleRecovery>(failed).Delay);
        Assert.Empty(failed.OfType<TearDown>());
        Assert.Equal([ConnectionTopics.Registered], Topics(registered)); // a recovery: no connect-succeeded
        Assert.Equal(ConnectionStatus.Registered, account.State.Status);
    }

    [Fact]
    public void Should_not_retry_a_first_registration_the_server_refuses_even_when_asked_to()
    {
        var account = new Account();
        account.Command(new Connect("alice", Parameters with { RetryConnect = true }));
        account.GrantAndOpen();

        var failed = account.On(new RegistrationCompleted(account.Generation, Failed(403, RegistrationFailureCause.Rejected), RegisterKind.Initial, null));

        Assert.Equal([ConnectionTopics.RegistrationFailed, ConnectionTopics.ConnectFailed, ConnectionTopics.Disconnecting], Topics(failed));
        Assert.Empty(failed.OfType<ScheduleRecovery>());
    }

    [Fact]
    public void Should_publish_disconnected_when_a_recovery_attempt_closes_a_flow_it_opened()
    {
        var account = new Account();
        account.Registered();
        account.On(new TransportLost("lost"));
        account.On(RecoveryDue.Instance);
        var up = account.GrantAndOpen();

        var failed = account.On(new RegistrationCompleted(account.Generation, Failed(500, RegistrationFailureCause.SipFailureCode), RegisterKind.Initial, null));

        Assert.Contains(ConnectionTopics.Connected, Topics(up));
        Assert.Equal([ConnectionTopics.RegistrationFailed, ConnectionTopics.Disconnected], Topics(failed));
    }
}
