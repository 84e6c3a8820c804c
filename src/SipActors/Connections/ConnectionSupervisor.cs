using Akka.Actor;
using Akka.Event;
using SipActors.Dispatch;
using SipActors.Sip.UserAgents;

namespace SipActors.Connections;

/// <summary>
/// The local host of accounts: one child <see cref="ConnectionActor"/> per account, created by its
/// first Connect and named by <see cref="AccountMessageExtractor.EntityId"/>; every
/// <see cref="IWithAccountId"/> message is routed to it, and the last Connect of each is kept to
/// reconnect one that crashed. The accounts' gate is a <see cref="LocalAccountGate"/> they call
/// directly, off this actor's mailbox: permits at a supervisor-wide rate, so ten thousand accounts
/// recovering at once do not stampede the server, and counts per state, which
/// <see cref="GetSupervisorStatus"/> reads.
/// </summary>
public sealed class ConnectionSupervisor : ReceiveActor, IWithTimers
{
    private readonly SipStack _stack;
    private readonly ConnectionSupervisorSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<AccountId, Connect> _lastConnect = [];
    private readonly LocalAccountGate _gate;
    private Props? _accountProps; // shared by every account: each takes its id from its name

    public ConnectionSupervisor(SipStack stack, ConnectionSupervisorSettings settings)
    {
        // config.hocon defines the accounts' mailbox; a system made without it gets the definition here.
        if (!Context.System.Settings.Config.HasPath(CompactDequeMailbox.Id + ".mailbox-type"))
        {
            Context.System.Settings.InjectTopLevelFallback(CompactDequeMailbox.Definition);
        }
        _stack = stack;
        _settings = settings;
        _gate = new LocalAccountGate(settings.ConnectRateLimit, settings.MaxConcurrentConnects, Context.System.Scheduler, Self);

        // An account given an ActorAccountGate on this supervisor still reaches the same gate.
        Receive<ConnectPermitRequest>(m => _gate.RequestPermit(Sender, m.Account, m.Generation));
        Receive<ConnectAttemptFinished>(m => _gate.ReleasePermit(Sender, m.Account));
        Receive<AccountStatusChanged>(m => _gate.StatusChanged(Sender, m.Account, m.Status));
        Receive<AccountStopped>(m => _gate.Stopped(Sender, m.Account));
        Receive<AccountRestarted>(OnAccountRestarted);
        Receive<ConnectAll>(OnConnectAll);
        Receive<DisconnectAll>(_ => OnDisconnectAll());
        Receive<GetSupervisorStatus>(_ => Sender.Tell(_gate.Status()));
        Receive<RemoveAccount>(OnRemove);
        Receive<IWithAccountId>(Route);
    }

    /// <summary>Unused since the permits left the mailbox; kept so the type's surface does not change.</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(SipStack stack, ConnectionSupervisorSettings? settings = null)
        => Akka.Actor.Props.Create(() => new ConnectionSupervisor(stack, settings ?? ConnectionSupervisorSettings.Default));

    /// <summary>A crashed account restarts (and reconnects); ten crashes a minute stop it.</summary>
    protected override SupervisorStrategy SupervisorStrategy()
        => new OneForOneStrategy(10, TimeSpan.FromMinutes(1), _ => Directive.Restart);

    private void Route(IWithAccountId message)
    {
        if (message is Connect connect)
        {
            _lastConnect[connect.Account] = connect;
            ChildFor(connect.Account).Forward(message);
            return;
        }
        var child = Context.Child(AccountMessageExtractor.EntityId(message)!);
        if (!child.IsNobody())
        {
            child.Forward(message);
            return;
        }
        // Only a Connect makes an account: a query or command for an unknown id is answered here,
        // so it neither creates an idle account nor shows up in the counts.
        Sender.Tell(message switch
        {
            GetState => new ConnectionStateResult(message.Account, ConnectionStatus.Disconnected, null),
            Calls.GetCalls => new Calls.CallsResult(message.Account, []),
            Disconnect or Unregister => new CommandResult(message.Account, CommandStatus.NoOp),
            _ => new CommandResult(message.Account, CommandStatus.Failed, $"account '{message.Account.Value}' is not known: send Connect first"),
        });
    }

    private IActorRef ChildFor(AccountId account)
    {
        var name = account.ToActorName();
        var child = Context.Child(name);
        if (!child.IsNobody())
        {
            return child;
        }
        // Not watched: each account says when it stops (AccountStopped). A watch costs every account
        // a watcher set and two dictionaries (measured ~6% of the allocations of a ramp).
        _accountProps ??= ConnectionActor.Hosted(_stack, _settings.Account, _gate).WithMailbox(CompactDequeMailbox.Id);
        _gate.Add(account);
        child = Context.ActorOf(_accountProps, name);
        return child;
    }

    private void OnAccountRestarted(AccountRestarted message)
    {
        _log.Warning("Account {Account} restarted after a failure; reconnecting", message.Account);
        if (_lastConnect.TryGetValue(message.Account, out var connect))
        {
            Sender.Tell(connect, Self);
        }
    }

    private void OnConnectAll(ConnectAll message)
    {
        foreach (var connect in message.Connects)
        {
            _lastConnect[connect.Account] = connect;
            ChildFor(connect.Account).Tell(connect, ActorRefs.NoSender);
        }
        Sender.Tell(new CommandResult(new AccountId("*"), CommandStatus.Ok));
    }

    private void OnDisconnectAll()
    {
        // Accounts only: a run of an earlier DisconnectAll is an anonymous child ($-named, which an
        // escaped account id never is).
        var accounts = Context.GetChildren().Where(c => !c.Path.Name.StartsWith('$')).ToList();
        _lastConnect.Clear();
        Context.ActorOf(DisconnectAllRun.Props(accounts, _settings.MaxConcurrentConnects, Sender, TimeSpan.FromSeconds(40)));
    }

    private void OnRemove(RemoveAccount message)
    {
        var child = Context.Child(message.Account.ToActorName());
        _lastConnect.Remove(message.Account);
        if (child.IsNobody())
        {
            Sender.Tell(new CommandResult(message.Account, CommandStatus.NoOp));
            return;
        }
        // The child disconnects in PostStop (un-REGISTER and close), then leaves.
        Context.Stop(child);
        Sender.Tell(new CommandResult(message.Account, CommandStatus.Ok));
    }
}
