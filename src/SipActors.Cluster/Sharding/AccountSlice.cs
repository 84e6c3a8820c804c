using Akka.Actor;
using Akka.DistributedData;
using Akka.Event;
using SipActors.Connections;
using SipActors.Dispatch;
using SipActors.Sip.Registration;
using SipActors.Sip.UserAgents;

namespace SipActors.Cluster.Sharding;

/// <summary>
/// A shard entity (<c>slice-k</c>) hosting, as local children, the accounts whose
/// <see cref="AccountMessageExtractor.SliceOf"/> is k: the cluster's counterpart of
/// <see cref="ConnectionSupervisor"/>. On start (first placement, failover, leave) it reads the
/// slice's replicated <see cref="AccountDefinition"/>s with a majority read and connects each
/// account again. A placed Connect reaches its account only once its definition is written to a
/// majority (batched over a few milliseconds), so an account that answered its Connect survives
/// the loss of its node; a Disconnect or RemoveAccount removes it, so the definitions always say
/// which accounts the slice should run.
/// Permits and counts are the node's (<see cref="AccountNode"/>); the last Connect of each account,
/// replayed after a crash, is the slice's. Handing over, it un-registers its accounts before it stops.
/// </summary>
public sealed class AccountSlice : ReceiveActor, IWithStash, IWithTimers
{
    private const string FlushTimer = "flush";
    private const string HandOffTimer = "hand-off";
    private const string BindingsFlushTimer = "flush-bindings";
    private static readonly TimeSpan FlushDelay = TimeSpan.FromMilliseconds(50);
    // Bindings change with every refresh of every account: written locally once a second and
    // spread by gossip, not a majority write each (a binding lost with its node only means a fresh
    // Call-ID for that account, which RFC 3261 §10.3 allows).
    private static readonly TimeSpan BindingsFlushDelay = TimeSpan.FromSeconds(1);

    private readonly ClusterAccountsSettings _settings;
    private readonly LWWDictionaryKey<string, AccountDefinition> _key;
    private readonly LWWDictionaryKey<string, RegistrationBinding> _bindingsKey;
    private readonly Dictionary<AccountId, RegistrationBinding> _bindings = []; // the last granted REGISTER of each account, as known here
    private readonly Dictionary<string, RegistrationBinding?> _unwrittenBindings = []; // null: remove
    private readonly IActorRef _replicator;
    private readonly Akka.Cluster.Cluster _cluster;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<AccountId, Connect> _connects = [];
    private readonly Dictionary<string, AccountDefinition?> _unwritten = []; // null: remove
    private List<(Connect Connect, IActorRef Sender)> _unwrittenConnects = [];
    private readonly Dictionary<AccountId, int> _connectsBeingWritten = []; // commands for these wait (stashed), to keep their order
    private readonly Props _accountProps;
    private const int MajorityReadAttempts = 3;
    private int _majorityReadFailures;
    private Queue<IActorRef>? _toDisconnect;
    private readonly HashSet<AccountId> _disconnecting = [];
    // Removed here, until a notice of the definitions without them arrives: the replicator may
    // still notify a value from before the removal, which would otherwise recreate the account.
    private readonly HashSet<AccountId> _forgotten = [];

    public AccountSlice(SipStack stack, IActorRef node, ClusterAccountsSettings settings)
    {
        if (!AccountSliceMessageExtractor.TryParseSlice(Self.Path.Name, out var slice))
        {
            throw new InvalidOperationException($"a slice entity is named slice-k, not '{Self.Path.Name}'");
        }
        Slice = slice;
        _settings = settings;
        _key = AccountDefinition.KeyOf(slice);
        _bindingsKey = AccountBindingSaved.KeyOf(slice);
        _replicator = DistributedData.Get(Context.System).Replicator;
        _cluster = Akka.Cluster.Cluster.Get(Context.System);
        _accountProps = ConnectionActor.Hosted(stack, settings.Node.Account, new SliceAccountGate(node, Self)).WithMailbox(CompactDequeMailbox.Id);
        Loading(majority: true);
    }

    public int Slice { get; }

    public IStash Stash { get; set; } = null!;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(SipStack stack, IActorRef node, ClusterAccountsSettings settings)
        => Akka.Actor.Props.Create(() => new AccountSlice(stack, node, settings));

    private sealed class Flush : INotInfluenceReceiveTimeout, INoSerializationVerificationNeeded
    {
        public static readonly Flush Instance = new();
        private Flush() { }
    }

    private sealed class FlushBindings : INotInfluenceReceiveTimeout, INoSerializationVerificationNeeded
    {
        public static readonly FlushBindings Instance = new();
        private FlushBindings() { }
    }

    private sealed class HandOffDeadline : INotInfluenceReceiveTimeout, INoSerializationVerificationNeeded
    {
        public static readonly HandOffDeadline Instance = new();
        private HandOffDeadline() { }
    }

    protected override void PreStart() => Read(majority: true);

    private void Read(bool majority)
    {
        IReadConsistency consistency = majority ? new ReadMajority(_settings.DefinitionsTimeout) : ReadLocal.Instance;
        _replicator.Tell(Dsl.Get(_key, consistency));
    }

    // ---- loading: the definitions first, everything else waits -------------------------------

    private void Loading(bool majority)
    {
        Receive<GetSuccess>(s => s.Key.Equals(_key), s => Start(s.Get(_key)));
        Receive<NotFound>(m => m.Key.Equals(_key), _ => Start(null));
        Receive<GetFailure>(m => m.Key.Equals(_key), _ =>
        {
            if (majority && ++_majorityReadFailures < MajorityReadAttempts)
            {
                Read(majority: true);
            }
            else if (majority)
            {
                // No majority answered (a node just died or is joining): start from this node's copy;
                // the subscription to the key brings in whatever arrives later by gossip.
                _log.Warning("Slice {Slice}: no majority answered for its account definitions ({Attempts} x {Timeout}); starting from this node's copy",
                    Slice, MajorityReadAttempts, _settings.DefinitionsTimeout);
                Become(() => Loading(majority: false));
                Read(majority: false);
            }
            else
            {
                Start(null);
            }
        });
        ReceiveAny(_ => Stash.Stash());
    }

    /// <summary>
    /// The definitions are in: the bindings this node's replica holds come next (read locally: they
    /// are written locally and spread by gossip), so the accounts carry their registrations on.
    /// </summary>
    private void Start(LWWDictionary<string, AccountDefinition>? definitions)
    {
        _replicator.Tell(Dsl.Get(_bindingsKey, ReadLocal.Instance));
        Become(() =>
        {
            Receive<GetSuccess>(g => g.Key.Equals(_bindingsKey), g =>
            {
                foreach (var (id, binding) in g.Get(_bindingsKey))
                {
                    _bindings[new AccountId(id)] = binding;
                }
                Started(definitions);
            });
            Receive<NotFound>(m => m.Key.Equals(_bindingsKey), _ => Started(definitions));
            Receive<GetFailure>(m => m.Key.Equals(_bindingsKey), _ => Started(definitions));
            ReceiveAny(_ => Stash.Stash());
        });
    }

    private void Started(LWWDictionary<string, AccountDefinition>? definitions)
    {
        var started = ConnectDefined(definitions);
        if (started > 0)
        {
            _log.Info("Slice {Slice} started on {Node} with {Accounts} accounts from the replicated definitions", Slice, _cluster.SelfAddress, started);
        }
        _replicator.Tell(Dsl.Subscribe(_key, Self));
        Become(Active);
        Stash.UnstashAll();
    }

    /// <summary>Connects every defined account the slice does not run yet (and has not just been told to drop); returns how many.</summary>
    private int ConnectDefined(LWWDictionary<string, AccountDefinition>? definitions)
    {
        var started = 0;
        foreach (var (id, definition) in definitions ?? LWWDictionary<string, AccountDefinition>.Empty)
        {
            if (_connects.ContainsKey(definition.Account) || _forgotten.Contains(definition.Account)
                || (_unwritten.TryGetValue(id, out var pending) && pending is null))
            {
                continue;
            }
            var connect = definition.ToConnect();
            _connects[connect.Account] = connect;
            if (_bindings.TryGetValue(connect.Account, out var binding))
            {
                // Carried on where its last node left it: same Call-ID, next CSeq, that node's Contact removed.
                connect = connect with { ContinueBinding = binding };
            }
            // The slice answers its own Connects (failures logged): nobody else waits for them.
            ChildFor(connect.Account).Tell(connect, Self);
            started++;
        }
        return started;
    }

    /// <summary>
    /// Definitions that reach this node later than the slice's start (it started from a local copy
    /// when no majority answered) are connected as they arrive.
    /// </summary>
    private void OnDefinitionsChanged(Changed changed)
    {
        var definitions = changed.Get(_key);
        var started = ConnectDefined(definitions);
        _forgotten.RemoveWhere(account => !definitions.ContainsKey(account.Value));
        if (started > 0)
        {
            _log.Info("Slice {Slice}: {Accounts} more accounts from definitions that arrived by gossip", Slice, started);
        }
    }

    // ---- active --------------------------------------------------------------------------------

    private void Active()
    {
        Receive<Connect>(OnConnect);
        Receive<IWithAccountId>(m => _connectsBeingWritten.ContainsKey(m.Account), _ => Stash.Stash());
        Receive<PlaceAccount>(OnPlace);
        Receive<Disconnect>(m =>
        {
            Forget(m.Account);
            Route(m);
        });
        Receive<RemoveAccount>(OnRemove);
        Receive<AccountRestarted>(m =>
        {
            _log.Warning("Account {Account} restarted after a failure; reconnecting", m.Account);
            if (_connects.TryGetValue(m.Account, out var connect))
            {
                Sender.Tell(_bindings.TryGetValue(m.Account, out var binding) ? connect with { ContinueBinding = binding } : connect, Self);
            }
        });
        Receive<AccountStopped>(_ => { });
        Receive<CommandResult>(OnOwnResult);
        Receive<Flush>(_ => WriteDefinitions());
        Receive<AccountBindingSaved>(OnBindingSaved);
        Receive<FlushBindings>(_ => WriteBindings());
        Receive<Changed>(c => c.Key.Equals(_key), OnDefinitionsChanged);
        Receive<IUpdateResponse>(OnWritten);
        Receive<SliceHandOff>(_ => HandOff());
        Receive<IWithAccountId>(Route);
    }

    private void OnConnect(Connect connect)
    {
        if (NotPlaceable.Reason(connect) is { } reason)
        {
            Sender.Tell(new CommandResult(connect.Account, CommandStatus.Failed, reason));
            return;
        }
        _connects[connect.Account] = connect;
        _forgotten.Remove(connect.Account);
        _unwrittenConnects.Add((connect, Sender));
        _connectsBeingWritten[connect.Account] = _connectsBeingWritten.GetValueOrDefault(connect.Account) + 1;
        Remember(connect.Account, new AccountDefinition(connect.Account, connect.Parameters!));
    }

    /// <summary>A Connect unless the account already runs with equal parameters (a host's configuration placed by each replica).</summary>
    private void OnPlace(PlaceAccount place)
    {
        if (_connects.TryGetValue(place.Account, out var running) && running.Parameters is { } parameters && place.SameParameters(parameters))
        {
            Sender.Tell(new CommandResult(place.Account, CommandStatus.NoOp));
            return;
        }
        OnConnect(place.ToConnect());
    }

    private void OnRemove(RemoveAccount message)
    {
        Forget(message.Account);
        var child = Context.Child(message.Account.ToActorName());
        if (child.IsNobody())
        {
            Sender.Tell(new CommandResult(message.Account, CommandStatus.NoOp));
            return;
        }
        Context.Stop(child); // it un-registers and closes in PostStop
        Sender.Tell(new CommandResult(message.Account, CommandStatus.Ok));
    }

    private void Forget(AccountId account)
    {
        if (_connects.Remove(account))
        {
            Remember(account, null);
            _forgotten.Add(account);
        }
        if (_bindings.Remove(account))
        {
            RememberBinding(account, null);
        }
    }

    // ---- the replicated bindings ---------------------------------------------------------------

    private void OnBindingSaved(AccountBindingSaved saved)
    {
        // An account being removed may still report its last refresh: only the slice's own accounts are kept.
        if (_connects.ContainsKey(saved.Account))
        {
            _bindings[saved.Account] = saved.Binding;
            RememberBinding(saved.Account, saved.Binding);
        }
    }

    private void RememberBinding(AccountId account, RegistrationBinding? binding)
    {
        _unwrittenBindings[account.Value] = binding;
        if (!Timers.IsTimerActive(BindingsFlushTimer))
        {
            Timers.StartSingleTimer(BindingsFlushTimer, FlushBindings.Instance, BindingsFlushDelay);
        }
    }

    private void WriteBindings()
    {
        Timers.Cancel(BindingsFlushTimer);
        if (_unwrittenBindings.Count == 0)
        {
            return;
        }
        var changes = _unwrittenBindings.ToArray();
        _unwrittenBindings.Clear();
        var node = _cluster;
        _replicator.Tell(Dsl.Update(_bindingsKey, LWWDictionary<string, RegistrationBinding>.Empty, WriteLocal.Instance, existing =>
        {
            var updated = existing;
            foreach (var (id, binding) in changes)
            {
                updated = binding is null ? updated.Remove(node, id) : updated.SetItem(node, id, binding);
            }
            return updated;
        }));
    }

    private void Route(IWithAccountId message)
    {
        var child = Context.Child(message.Account.ToActorName());
        if (!child.IsNobody())
        {
            child.Forward(message);
            return;
        }
        // As the local supervisor: only a Connect makes an account.
        Sender.Tell(message switch
        {
            GetState => new ConnectionStateResult(message.Account, ConnectionStatus.Disconnected, null),
            SipActors.Calls.GetCalls => new SipActors.Calls.CallsResult(message.Account, []),
            Disconnect or Unregister => new CommandResult(message.Account, CommandStatus.NoOp),
            _ => new CommandResult(message.Account, CommandStatus.Failed, $"account '{message.Account.Value}' is not known: send Connect first"),
        });
    }

    private IActorRef ChildFor(AccountId account)
    {
        var name = account.ToActorName();
        var child = Context.Child(name);
        return child.IsNobody() ? Context.ActorOf(_accountProps, name) : child;
    }

    private void OnOwnResult(CommandResult result)
    {
        if (!result.IsSuccess && result.Status != CommandStatus.Superseded)
        {
            _log.Warning("Slice {Slice}: account {Account} did not connect from its definition: {Error}", Slice, result.Account, result.Error);
        }
    }

    // ---- the replicated definitions ------------------------------------------------------------

    /// <summary>Changes are batched for a few milliseconds: a ramp placing thousands of accounts makes a handful of majority writes, not thousands.</summary>
    private void Remember(AccountId account, AccountDefinition? definition)
    {
        _unwritten[account.Value] = definition;
        if (!Timers.IsTimerActive(FlushTimer))
        {
            Timers.StartSingleTimer(FlushTimer, Flush.Instance, FlushDelay);
        }
    }

    private void WriteDefinitions()
    {
        if (_unwritten.Count == 0)
        {
            return;
        }
        var changes = _unwritten.ToArray();
        _unwritten.Clear();
        var batch = new WriteBatch(changes.Length, _unwrittenConnects);
        _unwrittenConnects = [];
        var node = _cluster;
        _replicator.Tell(Dsl.Update(_key, LWWDictionary<string, AccountDefinition>.Empty, new WriteMajority(_settings.DefinitionsTimeout), batch, existing =>
        {
            var updated = existing;
            foreach (var (id, definition) in changes)
            {
                updated = definition is null ? updated.Remove(node, id) : updated.SetItem(node, id, definition);
            }
            return updated;
        }));
    }

    /// <summary>The Connects of a write go to their accounts once it is done (or, with a warning, once it timed out: it still stands here).</summary>
    private void OnWritten(IUpdateResponse response)
    {
        if (response.Request is not WriteBatch batch)
        {
            return;
        }
        if (response is not UpdateSuccess)
        {
            // Not on a majority in time: it stands locally and spreads by gossip, and is only at risk
            // if this node dies before that.
            _log.Warning("Slice {Slice}: writing {Count} account definitions reached no majority in time ({Response}); they spread by gossip",
                Slice, batch.Changes, response.GetType().Name);
        }
        foreach (var (connect, sender) in batch.Connects)
        {
            ChildFor(connect.Account).Tell(connect, sender);
            if (--_connectsBeingWritten[connect.Account] == 0)
            {
                _connectsBeingWritten.Remove(connect.Account);
            }
        }
        if (batch.Connects.Count > 0)
        {
            // Commands that came after these Connects go now, in their order (those still waiting on a later write stash again).
            Stash.UnstashAll();
        }
    }

    private sealed record WriteBatch(int Changes, List<(Connect Connect, IActorRef Sender)> Connects) : INoSerializationVerificationNeeded;

    // ---- hand-over -----------------------------------------------------------------------------

    private void HandOff()
    {
        WriteDefinitions();
        // Its accounts un-register before the slice moves: no binding is left to carry on.
        foreach (var account in _bindings.Keys)
        {
            _unwrittenBindings[account.Value] = null;
        }
        _bindings.Clear();
        WriteBindings();
        _toDisconnect = new Queue<IActorRef>(Context.GetChildren());
        _log.Info("Slice {Slice} hands over: un-registering {Accounts} accounts first", Slice, _toDisconnect.Count);
        Timers.StartSingleTimer(HandOffTimer, HandOffDeadline.Instance, _settings.HandOffTimeout);
        Become(HandingOff);
        Stash.UnstashAll(); // commands that waited for a write are answered "moving"
        DisconnectNext();
    }

    private void HandingOff()
    {
        Receive<CommandResult>(result =>
        {
            // A Connect of this slice still in flight is answered Superseded by the Disconnect: not the answer awaited.
            if (result.Status != CommandStatus.Superseded && _disconnecting.Remove(result.Account))
            {
                DisconnectNext();
            }
        });
        Receive<HandOffDeadline>(_ =>
        {
            _log.Warning("Slice {Slice}: {Accounts} accounts had not un-registered after {Timeout}; handing over anyway", Slice, _disconnecting.Count + _toDisconnect!.Count, _settings.HandOffTimeout);
            Context.Stop(Self);
        });
        Receive<Changed>(_ => { });
        Receive<IUpdateResponse>(r =>
        {
            if (r.Request is WriteBatch batch)
            {
                foreach (var (connect, sender) in batch.Connects)
                {
                    sender.Tell(Moving(connect));
                }
            }
        });
        Receive<AccountStopped>(_ => { });
        Receive<AccountRestarted>(_ => { });
        Receive<AccountBindingSaved>(_ => { });
        Receive<FlushBindings>(_ => { });
        Receive<SliceHandOff>(_ => { });
        // The region holds messages for a shard that hands over; one already here is answered.
        Receive<IWithAccountId>(m => Sender.Tell(Moving(m)));
    }

    private static object Moving(IWithAccountId m) => m is GetState
        ? new ConnectionStateResult(m.Account, ConnectionStatus.Disconnecting, null)
        : new CommandResult(m.Account, CommandStatus.Failed, $"account '{m.Account.Value}': its slice is moving to another node; try again");

    private void DisconnectNext()
    {
        while (_disconnecting.Count < _settings.HandOffConcurrency && _toDisconnect!.TryDequeue(out var account))
        {
            var id = AccountId.FromActorName(account.Path.Name);
            _disconnecting.Add(id);
            account.Tell(new Disconnect(id), Self);
        }
        if (_disconnecting.Count == 0 && _toDisconnect!.Count == 0)
        {
            Context.Stop(Self);
        }
    }
}
