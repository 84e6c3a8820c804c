using Akka.Actor;
using Akka.Event;
using SipActors.Dispatch;
using SipActors.Sip.UserAgents;

namespace SipActors.Connections;

/// <summary>
/// The local host of accounts: one <see cref="ConnectionActor"/> per account, created by its
/// first Connect and named by <see cref="AccountMessageExtractor.EntityId"/>, under one of
/// <see cref="Slices"/> <see cref="LocalAccountSlice"/> children chosen by the id's stable hash
/// (<see cref="AccountPath"/>); every <see cref="IWithAccountId"/> message is routed through the
/// slice to it, and the last Connect of each is kept to reconnect one that crashed. The accounts'
/// gate is a <see cref="LocalAccountGate"/> they call directly, off this actor's mailbox: permits
/// at a supervisor-wide rate, so ten thousand accounts recovering at once do not stampede the
/// server, and counts per state, which <see cref="GetSupervisorStatus"/> reads.
/// </summary>
public sealed class ConnectionSupervisor : ReceiveActor, IWithTimers
{
    private readonly SipStack _stack;
    private readonly ConnectionSupervisorSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<AccountId, Connect> _lastConnect = [];
    private readonly LocalAccountGate _gate;
    private readonly IActorRef?[] _slices = new IActorRef?[Slices]; // made on their first account
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
        Receive<IWithAccountId>(Route);
    }

    /// <summary>
    /// Starts Akka's scheduler before any account schedules a timer. Akka starts it on the first
    /// thing scheduled, and that first call blocks until the scheduler's loop runs on the thread
    /// pool: when a ramp's first accounts all schedule their first timers at once, every pool thread
    /// blocks there (a dump showed 40 of 40) and the ramp waits for the pool to add threads, 20-48 s
    /// in one TCP ramp of 10,000 accounts out of three against a freshly started registrar.
    /// </summary>
    protected override void PreStart() => Context.System.Scheduler.Advanced.ScheduleOnce(TimeSpan.Zero, static () => { });

    /// <summary>
    /// How many slices the accounts are spread over: enough that each holds a few children at
    /// 100,000 accounts, few enough that they cost little at ten (a slice is made on its first account).
    /// </summary>
    public const int Slices = 1024;

    private static readonly AccountMessageExtractor Extractor = new(Slices);

    /// <summary>Where the actor of <paramref name="account"/> lives under the supervisor at <paramref name="supervisor"/>.</summary>
    public static ActorPath AccountPath(ActorPath supervisor, AccountId account)
        => supervisor / AccountMessageExtractor.SliceName(Extractor.SliceOf(account)) / account.ToActorName();

    /// <summary>The answer to a message for an account that does not exist (only a Connect makes one).</summary>
    internal static object UnknownAccountAnswer(IWithAccountId message) => message switch
    {
        GetState => new ConnectionStateResult(message.Account, ConnectionStatus.Disconnected, null),
        Calls.GetCalls => new Calls.CallsResult(message.Account, []),
        Disconnect or Unregister or RemoveAccount => new CommandResult(message.Account, CommandStatus.NoOp),
        _ => new CommandResult(message.Account, CommandStatus.Failed, $"account '{message.Account.Value}' is not known: send Connect first"),
    };

    /// <summary>Unused since the permits left the mailbox; kept so the type's surface does not change.</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(SipStack stack, ConnectionSupervisorSettings? settings = null)
        => Akka.Actor.Props.Create(() => new ConnectionSupervisor(stack, settings ?? ConnectionSupervisorSettings.Default));

    /// <summary>For the slices (the accounts' own parents restart a crashed account, see <see cref="LocalAccountSlice"/>): a slice holds no state of its own.</summary>
    protected override SupervisorStrategy SupervisorStrategy()
        => new OneForOneStrategy(10, TimeSpan.FromMinutes(1), _ => Directive.Restart);

    private void Route(IWithAccountId message)
    {
        if (message is Connect connect)
        {
            _lastConnect[connect.Account] = connect;
            _gate.Add(connect.Account); // counted from here: the slice makes the account on arrival
            SliceFor(connect.Account, create: true)!.Forward(connect);
            return;
        }
        if (message is RemoveAccount)
        {
            _lastConnect.Remove(message.Account);
        }
        // A slice answers for the ids it does not hold; with no slice yet, nothing can be there.
        var slice = SliceFor(message.Account, create: false);
        if (slice is null)
        {
            Sender.Tell(UnknownAccountAnswer(message));
            return;
        }
        slice.Forward(message);
    }

    /// <summary>The account's slice, made when <paramref name="create"/> (for its first account).</summary>
    private IActorRef? SliceFor(AccountId account, bool create)
    {
        var index = Extractor.SliceOf(account);
        var slice = _slices[index];
        if (slice is null && create)
        {
            _accountProps ??= ConnectionActor.Hosted(_stack, _settings.Account, _gate).WithMailbox(CompactDequeMailbox.Id);
            slice = Context.ActorOf(LocalAccountSlice.Props(_accountProps), AccountMessageExtractor.SliceName(index));
            _slices[index] = slice;
        }
        return slice;
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
            _gate.Add(connect.Account);
            SliceFor(connect.Account, create: true)!.Tell(connect, ActorRefs.NoSender);
        }
        Sender.Tell(new CommandResult(new AccountId("*"), CommandStatus.Ok));
    }

    private void OnDisconnectAll()
    {
        _lastConnect.Clear();
        var slices = _slices.OfType<IActorRef>().ToList();
        Context.ActorOf(DisconnectAllRun.Props(slices, _settings.MaxConcurrentConnects, Sender, TimeSpan.FromSeconds(40)));
    }
}
