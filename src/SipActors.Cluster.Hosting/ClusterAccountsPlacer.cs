using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using SipActors.Cluster.Sharding;
using SipActors.Connections;

namespace SipActors.Cluster.Hosting;

/// <summary>
/// Places a clustered host's configured accounts: waits until <c>MinNodes</c> nodes host slices
/// (asking the region every half second), then sends each account a <see cref="PlaceAccount"/>
/// (a no-op where another replica with the same configuration placed it first), at most
/// <see cref="InFlight"/> awaiting their answer at once, logs the failures and stops once all
/// answered or after <see cref="AnswerTimeout"/>. No Ask: answers come back to this actor.
/// </summary>
internal sealed class ClusterAccountsPlacer : ReceiveActor, IWithTimers
{
    /// <summary>Placements awaiting their answer at once: the slices batch their writes, but thousands at once would only queue.</summary>
    public const int InFlight = 500;

    /// <summary>How long the placed accounts are given to answer: a connect's timeout plus a REGISTER's Timer F, with room.</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromMinutes(3);

    private const string PollTimer = "poll";
    private const string AnswerTimer = "answer";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan WaitingLogInterval = TimeSpan.FromSeconds(10);

    private readonly IActorRef _region;
    private readonly Queue<Connect> _toPlace;
    private readonly int _minNodes;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<AccountId> _awaiting = [];
    private readonly int _total;
    private int _placed;
    private int _unchanged;
    private int _failed;
    private DateTime _lastWaitingLog = DateTime.UtcNow;

    public ClusterAccountsPlacer(IActorRef region, IReadOnlyList<Connect> accounts, int minNodes)
    {
        _region = region;
        _toPlace = new Queue<Connect>(accounts);
        _total = accounts.Count;
        _minNodes = minNodes;
        Waiting();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef region, IReadOnlyList<Connect> accounts, int minNodes)
        => Akka.Actor.Props.Create(() => new ClusterAccountsPlacer(region, accounts, minNodes));

    private sealed class Poll : INotInfluenceReceiveTimeout, INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly Poll Instance = new();
        private Poll() { }
    }

    private sealed class AnswerDeadline : INotInfluenceReceiveTimeout, INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly AnswerDeadline Instance = new();
        private AnswerDeadline() { }
    }

    protected override void PreStart()
    {
        _region.Tell(GetCurrentRegions.Instance);
        Timers.StartPeriodicTimer(PollTimer, Poll.Instance, PollInterval);
    }

    private void Waiting()
    {
        Receive<Poll>(_ => _region.Tell(GetCurrentRegions.Instance));
        Receive<CurrentRegions>(OnRegions);
    }

    private void OnRegions(CurrentRegions regions)
    {
        if (regions.Regions.Count < _minNodes)
        {
            if (DateTime.UtcNow - _lastWaitingLog >= WaitingLogInterval)
            {
                _lastWaitingLog = DateTime.UtcNow;
                _log.Info("SipActors: {Accounts} configured accounts wait for {MinNodes} nodes hosting slices ({Nodes} so far)", _total, _minNodes, regions.Regions.Count);
            }
            return;
        }
        Timers.Cancel(PollTimer);
        _log.Info("SipActors: {Nodes} nodes host slices; placing {Accounts} configured accounts on the cluster", regions.Regions.Count, _total);
        Timers.StartSingleTimer(AnswerTimer, AnswerDeadline.Instance, AnswerTimeout);
        Become(Placing);
        PlaceNext();
    }

    private void Placing()
    {
        Receive<CommandResult>(OnResult);
        Receive<AnswerDeadline>(_ =>
        {
            _log.Warning("SipActors: {Unanswered} of {Accounts} configured accounts did not answer their placement within {Timeout} (e.g. {Account}); they may still connect",
                _awaiting.Count + _toPlace.Count, _total, AnswerTimeout, _awaiting.FirstOrDefault());
            Context.Stop(Self);
        });
        Receive<Poll>(_ => { });
        Receive<CurrentRegions>(_ => { });
    }

    private void OnResult(CommandResult result)
    {
        if (!_awaiting.Remove(result.Account))
        {
            return;
        }
        switch (result.Status)
        {
            case CommandStatus.Ok:
                _placed++;
                break;
            case CommandStatus.NoOp:
                // Already running with these parameters: another replica of this host placed it.
                _unchanged++;
                break;
            case CommandStatus.Superseded:
                // A newer command for the account (ISipAccounts, another replica) took over: it is placed.
                _unchanged++;
                break;
            default:
                _failed++;
                _log.Warning("SipActors: configured account {Account} did not connect on the cluster: {Error}", result.Account, result.Error);
                break;
        }
        PlaceNext();
    }

    private void PlaceNext()
    {
        while (_awaiting.Count < InFlight && _toPlace.TryDequeue(out var connect))
        {
            _awaiting.Add(connect.Account);
            _region.Tell(new PlaceAccount(connect.Account, connect.Parameters!), Self);
        }
        if (_awaiting.Count == 0)
        {
            _log.Info("SipActors: configured accounts placed: {Placed} connected, {Unchanged} already running, {Failed} failed", _placed, _unchanged, _failed);
            Context.Stop(Self);
        }
    }
}
