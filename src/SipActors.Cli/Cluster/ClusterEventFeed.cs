using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using SipActors.Cli.Load;
using SipActors.Cluster.Events;
using SipActors.Events;

namespace SipActors.Cli.Cluster;

/// <summary>
/// The coordinator's subscriber to the cluster's <c>connection:*</c> events: it turns each one of
/// the run's accounts back into its record for the statistics actor (which then counts as in a
/// single-process run), and keeps what only the cluster has: per node, the accounts that started,
/// registered or failed there; gaps in the per-account sequence numbers; and the registrations a
/// node took with it when it left without un-registering them (killed, downed), handed to the
/// statistics as losses so the live view shows the outage and then the re-registrations.
/// </summary>
internal sealed class ClusterEventFeed : ReceiveActor
{
    [Flags]
    private enum OnNode : byte
    {
        Started = 1,
        Registered = 2,
        Failed = 4,
    }

    private readonly IActorRef _statistics;
    private readonly IReadOnlyDictionary<string, int> _index;
    private readonly string _probeId;
    private readonly TaskCompletionSource _subscribed;
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly List<NodeEvents> _nodes = [];
    private readonly Dictionary<string, int> _nodeIndex = new(StringComparer.Ordinal);
    private readonly int[] _registeredOn; // node index + 1 of the account's live registration, 0 for none
    private readonly HashSet<string> _confirmed = new(StringComparer.Ordinal);
    private long _events;
    private long _gaps;
    private int _lostWithNode;

    public ClusterEventFeed(IActorRef statistics, IReadOnlyDictionary<string, int> index, string probeId, TaskCompletionSource subscribed)
    {
        _statistics = statistics;
        _index = index;
        _probeId = probeId;
        _subscribed = subscribed;
        _registeredOn = new int[index.Count];
        Receive<SubscribeAck>(_ => _subscribed.TrySetResult());
        Receive<ClusterEventProbe>(p => p.Id == _probeId, p => _confirmed.Add(p.Node));
        Receive<ClusterEventProbe>(_ => { }); // another subscriber's
        Receive<ClusterAccountEvent>(OnEvent);
        Receive<ClusterEvent.MemberRemoved>(OnRemoved);
        Receive<ClusterEvent.CurrentClusterState>(_ => { });
        Receive<GetFeedState>(_ => Sender.Tell(State()));
    }

    public static Props Props(IActorRef statistics, IReadOnlyDictionary<string, int> index, string probeId, TaskCompletionSource subscribed)
        => Akka.Actor.Props.Create(() => new ClusterEventFeed(statistics, index, probeId, subscribed));

    protected override void PreStart()
    {
        ClusterEvents.Subscribe(Context.System, Self, ClusterEventTopics.Connection);
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.MemberRemoved));
    }

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void OnEvent(ClusterAccountEvent e)
    {
        if (!_index.TryGetValue(e.Account.Value, out var i))
        {
            return; // another run's account
        }
        _events++;
        var n = NodeOf(e.Node);
        var node = _nodes[n];
        var last = node.Sequences[i];
        if (last != 0 && e.Sequence > last + 1)
        {
            _gaps += e.Sequence - last - 1;
        }
        node.Sequences[i] = Math.Max(last, e.Sequence);

        var decoded = ClusterAccountEventDecoder.TryDecode(e);
        switch (decoded)
        {
            case ConnectStarted:
                node.Mark(i, OnNode.Started);
                break;
            case Registered:
                node.Mark(i, OnNode.Registered);
                _registeredOn[i] = n + 1;
                break;
            case ConnectFailed:
                node.Mark(i, OnNode.Failed);
                break;
            case Unregistered when _registeredOn[i] != 0 && _registeredOn[i] != n + 1:
                // The account registered from another node since: this one's late word does not end that registration.
                return;
            case Unregistered:
                _registeredOn[i] = 0;
                break;
        }
        _statistics.Tell(decoded as ConnectionEvent ?? (object)new ObservedEvent(e.Topic));
    }

    private void OnRemoved(ClusterEvent.MemberRemoved removed)
    {
        // When this coordinator leaves, it sees every other member go: that is not theirs to answer for.
        if (removed.Member.Address.Equals(_cluster.SelfAddress) || _cluster.SelfMember.Status != MemberStatus.Up
            || !_nodeIndex.TryGetValue(removed.Member.Address.ToString(), out var n))
        {
            return;
        }
        var cause = $"its node {removed.Member.Address} left the cluster without un-registering it";
        var now = DateTimeOffset.UtcNow;
        foreach (var (account, i) in _index)
        {
            if (_registeredOn[i] == n + 1)
            {
                _registeredOn[i] = 0;
                _lostWithNode++;
                _statistics.Tell(new Unregistered(account, now, null, cause));
            }
        }
    }

    private int NodeOf(string address)
    {
        if (!_nodeIndex.TryGetValue(address, out var n))
        {
            n = _nodes.Count;
            _nodes.Add(new NodeEvents(address, _index.Count));
            _nodeIndex[address] = n;
        }
        return n;
    }

    private FeedState State() => new(_events, _gaps, _lostWithNode, [.. _confirmed],
        [.. _nodes.Select(n => new NodeTally(n.Address, n.Started, n.Registered, n.Failed))]);

    /// <summary>What the feed knows of one node's events, by account position.</summary>
    private sealed class NodeEvents(string address, int accounts)
    {
        private readonly OnNode[] _flags = new OnNode[accounts];

        public string Address { get; } = address;

        public long[] Sequences { get; } = new long[accounts];

        public int Started { get; private set; }

        public int Registered { get; private set; }

        /// <summary>Failed on this node and never registered from it.</summary>
        public int Failed { get; private set; }

        public void Mark(int i, OnNode what)
        {
            var before = _flags[i];
            if ((before & what) != 0)
            {
                return;
            }
            _flags[i] = before | what;
            switch (what)
            {
                case OnNode.Started:
                    Started++;
                    break;
                case OnNode.Registered:
                    Registered++;
                    if ((before & OnNode.Failed) != 0)
                    {
                        Failed--;
                    }
                    break;
                case OnNode.Failed when (before & OnNode.Registered) == 0:
                    Failed++;
                    break;
            }
        }
    }
}

/// <summary>Asks the <see cref="ClusterEventFeed"/> for its <see cref="FeedState"/>.</summary>
internal sealed class GetFeedState
{
    public static readonly GetFeedState Instance = new();
    private GetFeedState() { }
}

/// <summary>What the feed received: events, gaps, registrations lost with their node, the nodes whose probe came back, and per node the run's accounts.</summary>
internal sealed record FeedState(long Events, long Gaps, int LostWithNode, IReadOnlyList<string> Confirmed, IReadOnlyList<NodeTally> Nodes);

/// <summary>Distinct accounts of the run that started, registered and failed on one node, by its events.</summary>
internal sealed record NodeTally(string Address, int Accounts, int Registered, int Failed);
