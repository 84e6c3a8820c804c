using Akka.Actor;
using Akka.Event;
using SipActors.Dispatch;
using SipActors.Sip.UserAgents;

namespace SipActors.Connections;

/// <summary>
/// One child <see cref="ConnectionActor"/> per account, created on first use and named after the
/// account; routes every <see cref="IWithAccountId"/> message to it. Keeps counts per state from
/// the children's reports, hands out transport-attempt permits at a supervisor-wide rate so that
/// ten thousand accounts recovering at once do not stampede the server, and restarts a crashed
/// account with its last Connect.
/// </summary>
public sealed class ConnectionSupervisor : ReceiveActor, IWithTimers
{
    private const string PermitTimer = "permits";
    private static readonly TimeSpan PermitTick = TimeSpan.FromMilliseconds(20);

    private readonly SipStack _stack;
    private readonly ConnectionSupervisorSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<AccountId, ConnectionStatus> _status = [];
    private readonly Dictionary<AccountId, Connect> _lastConnect = [];
    private readonly Queue<(IActorRef Child, ConnectPermitRequest Request)> _waiting = new();
    private readonly HashSet<AccountId> _inFlight = [];
    private Props? _accountProps; // shared by every account: each takes its id from its name
    private double _tokens;
    private long _refilledAt = System.Diagnostics.Stopwatch.GetTimestamp();

    public ConnectionSupervisor(SipStack stack, ConnectionSupervisorSettings settings)
    {
        // config.hocon defines the accounts' mailbox; a system made without it gets the definition here.
        if (!Context.System.Settings.Config.HasPath(CompactDequeMailbox.Id + ".mailbox-type"))
        {
            Context.System.Settings.InjectTopLevelFallback(CompactDequeMailbox.Definition);
        }
        _stack = stack;
        _settings = settings;
        _tokens = Burst;

        Receive<ConnectPermitRequest>(OnPermitRequest);
        Receive<PermitTickMessage>(_ => ServePermits());
        Receive<AccountStatusChanged>(m => _status[m.Account] = m.Status);
        Receive<ConnectAttemptFinished>(m =>
        {
            _inFlight.Remove(m.Account);
            ServePermits();
        });
        Receive<AccountRestarted>(OnAccountRestarted);
        Receive<AccountStopped>(OnAccountStopped);
        Receive<ConnectAll>(OnConnectAll);
        Receive<DisconnectAll>(_ => OnDisconnectAll());
        Receive<GetSupervisorStatus>(_ => Sender.Tell(Status()));
        Receive<RemoveAccount>(OnRemove);
        Receive<IWithAccountId>(Route);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(SipStack stack, ConnectionSupervisorSettings? settings = null)
        => Akka.Actor.Props.Create(() => new ConnectionSupervisor(stack, settings ?? ConnectionSupervisorSettings.Default));

    /// <summary>A crashed account restarts (and reconnects); ten crashes a minute stop it.</summary>
    protected override SupervisorStrategy SupervisorStrategy()
        => new OneForOneStrategy(10, TimeSpan.FromMinutes(1), _ => Directive.Restart);

    // 50 ms worth of permits, and never less than 2: with a burst of one token, a tick that fires
    // late loses its refill, and a low rate (50/s) fell to about 30/s.
    private double Burst => Math.Max(2, _settings.ConnectRateLimit * 0.05);

    private sealed class PermitTickMessage : INotInfluenceReceiveTimeout
    {
        public static readonly PermitTickMessage Instance = new();
        private PermitTickMessage() { }
    }

    private void Route(IWithAccountId message)
    {
        if (message is Connect connect)
        {
            _lastConnect[connect.Account] = connect;
            ChildFor(connect.Account).Forward(message);
            return;
        }
        var child = Context.Child(Uri.EscapeDataString(message.Account.Value));
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
        var name = Uri.EscapeDataString(account.Value);
        var child = Context.Child(name);
        if (!child.IsNobody())
        {
            return child;
        }
        // Not watched: each account says when it stops (AccountStopped). A watch costs every account
        // a watcher set and two dictionaries (measured ~6% of the allocations of a ramp).
        child = Context.ActorOf(_accountProps ??= ConnectionActor.Supervised(_stack, _settings.Account).WithMailbox(CompactDequeMailbox.Id), name);
        _status[account] = ConnectionStatus.Disconnected;
        return child;
    }

    private void OnPermitRequest(ConnectPermitRequest request)
    {
        _waiting.Enqueue((Sender, request));
        ServePermits();
    }

    /// <summary>A token bucket refilled at the configured rate; the timer runs only while someone waits.</summary>
    private void ServePermits()
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        _tokens = Math.Min(Burst, _tokens + _settings.ConnectRateLimit * System.Diagnostics.Stopwatch.GetElapsedTime(_refilledAt, now).TotalSeconds);
        _refilledAt = now;
        while (_waiting.Count > 0 && _tokens >= 1 && _inFlight.Count < _settings.MaxConcurrentConnects)
        {
            var (child, request) = _waiting.Dequeue();
            _tokens -= 1;
            _inFlight.Add(request.Account);
            child.Tell(new ConnectPermit(request.Generation));
        }
        if (_waiting.Count > 0)
        {
            if (!Timers.IsTimerActive(PermitTimer))
            {
                Timers.StartPeriodicTimer(PermitTimer, PermitTickMessage.Instance, PermitTick);
            }
        }
        else
        {
            Timers.Cancel(PermitTimer);
        }
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
        var child = Context.Child(Uri.EscapeDataString(message.Account.Value));
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

    private void OnAccountStopped(AccountStopped message)
    {
        var account = message.Account;
        _status.Remove(account);
        if (_inFlight.Remove(account))
        {
            ServePermits();
        }
    }

    private SupervisorStatus Status()
    {
        var counts = new Dictionary<ConnectionStatus, int>();
        foreach (var status in _status.Values)
        {
            counts[status] = counts.GetValueOrDefault(status) + 1;
        }
        return new SupervisorStatus(_status.Count, counts);
    }
}
