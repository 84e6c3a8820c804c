using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using Akka.Actor;
using Akka.Cluster;
using SipActors.Cli.Load;
using SipActors.Cluster;
using SipActors.Cluster.Events;
using SipActors.Cluster.Sharding;
using SipActors.Connections;

namespace SipActors.Cli.Cluster;

/// <summary>
/// The accounts of <c>load --cluster</c>: this process joins the cluster as a coordinator that
/// hosts no slices (no role), waits for <c>--min-nodes</c> nodes to host them, places the Connects
/// through a shard region proxy at the run's pace (<see cref="ClusterPlacer"/>), follows the
/// accounts by the nodes' events (<see cref="ClusterEventFeed"/>) and asks every hosting node for
/// its report once a second (refreshes, retransmissions, CPU: what no event carries). At the end
/// it leaves the cluster; with <c>--no-unregister</c> the accounts stay on the nodes, registered.
/// </summary>
internal sealed class ClusterLoadAccounts : ILoadAccounts
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LeaveTimeout = TimeSpan.FromSeconds(30);

    private readonly ActorSystem _system;
    private readonly Akka.Cluster.Cluster _cluster;
    private readonly ClusterAccounts _accounts;
    private readonly ClusterLoadOptions _options;
    private readonly TextWriter _output;
    private readonly ConcurrentDictionary<string, (NodeReport First, NodeReport Last, int PeakRegistered)> _reports = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopPolling = new();
    private IReadOnlyList<AccountId> _runAccounts = [];
    private int _concurrency = 200;
    private IActorRef _feed = ActorRefs.Nobody;
    private IActorRef _placer = ActorRefs.Nobody;
    private Task _polling = Task.CompletedTask;

    private ClusterLoadAccounts(ActorSystem system, ClusterAccounts accounts, ClusterLoadOptions options, TextWriter output)
    {
        _system = system;
        _cluster = Akka.Cluster.Cluster.Get(system);
        _accounts = accounts;
        _options = options;
        _output = output;
    }

    public ActorSystem System => _system;

    public LoadCounters Counters
    {
        get
        {
            long refreshes = 0, refreshFailures = 0, retransmissions = 0, timeouts = 0;
            foreach (var (first, last, _) in _reports.Values)
            {
                refreshes += last.Refreshes - first.Refreshes;
                refreshFailures += last.RefreshFailures - first.RefreshFailures;
                retransmissions += last.Retransmissions - first.Retransmissions;
                timeouts += last.TransactionTimeouts - first.TransactionTimeouts;
            }
            return new LoadCounters(refreshes, refreshFailures, retransmissions, timeouts);
        }
    }

    /// <summary>
    /// A <c>--stats</c> row's figures from the nodes' last reports (at most a second old), each
    /// node's since the run's first report of it. The nodes time no REGISTER exchange and their UDP
    /// sockets are their own: those columns stay empty.
    /// </summary>
    public StatsSample SampleStats()
    {
        long refreshes = 0, refreshFailures = 0, retransmissions = 0, timeouts = 0, workingSet = 0;
        var open = 0;
        var cpu = 0.0;
        var kinds = new Dictionary<string, long>(StringComparer.Ordinal);
        var responses = new Dictionary<int, long>();
        foreach (var (first, last, _) in _reports.Values)
        {
            refreshes += last.Refreshes - first.Refreshes;
            refreshFailures += last.RefreshFailures - first.RefreshFailures;
            retransmissions += last.Retransmissions - first.Retransmissions;
            timeouts += last.TransactionTimeouts - first.TransactionTimeouts;
            cpu += last.CpuSeconds - first.CpuSeconds;
            workingSet += last.WorkingSetBytes;
            open += last.TransactionsOpen;
            foreach (var (kind, count) in last.RegistersSent)
            {
                kinds[kind] = kinds.GetValueOrDefault(kind) + count - first.RegistersSent.GetValueOrDefault(kind);
            }
            foreach (var (status, count) in last.RegisterResponses)
            {
                responses[status] = responses.GetValueOrDefault(status) + count - first.RegisterResponses.GetValueOrDefault(status);
            }
        }
        return new StatsSample(refreshes, refreshFailures, RegisterExchanges: null, DatagramsSent: null, DatagramsReceived: null,
            kinds, responses, retransmissions, timeouts, open, Latency: null, TimeSpan.FromSeconds(cpu), workingSet);
    }

    /// <summary>Joins and waits for the hosting nodes; null (after saying why) when they did not come, or on Ctrl+C.</summary>
    public static async Task<ILoadAccounts?> StartAsync(ClusterLoadOptions options, Akka.Configuration.Config? file, TextWriter output, CancellationToken stop)
    {
        var config = options.Config(file);
        var settings = ClusterAccountsSettings.Create(config);
        var system = ActorSystem.Create(ClusterEndpoint.SystemName, config);
        var accounts = ClusterAccounts.Proxy(system, settings);
        var run = new ClusterLoadAccounts(system, accounts, options, output);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"cluster: coordinator {run._cluster.SelfAddress} (hosts no accounts), seeds {string.Join(", ", options.Seeds)}; waiting for {Plural.Of(options.MinNodes, "node")} to host account slices (role {settings.Role})")).ConfigureAwait(false);
        var hosts = await run.WaitForHostsAsync(stop).ConfigureAwait(false);
        if (hosts is null)
        {
            await run.DisposeAsync().ConfigureAwait(false);
            return null;
        }
        await output.WriteLineAsync($"cluster: {Plural.Of(hosts.Count, "node")} host slices: {string.Join(", ", hosts.Order(StringComparer.Ordinal))}").ConfigureAwait(false);
        return run;
    }

    private async Task<IReadOnlyList<string>?> WaitForHostsAsync(CancellationToken stop)
    {
        var deadline = DateTime.UtcNow + _options.NodesTimeout;
        var shown = -1;
        while (true)
        {
            var hosts = await HostsAsync().ConfigureAwait(false);
            if (hosts.Count >= _options.MinNodes)
            {
                return hosts;
            }
            if (hosts.Count != shown && shown >= 0)
            {
                await _output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"cluster: {hosts.Count} of {_options.MinNodes} nodes host slices")).ConfigureAwait(false);
            }
            shown = hosts.Count;
            if (stop.IsCancellationRequested || DateTime.UtcNow > deadline)
            {
                var why = stop.IsCancellationRequested
                    ? string.Create(CultureInfo.InvariantCulture, $"cluster: interrupted while waiting for the nodes ({hosts.Count} of {_options.MinNodes} host slices); nothing was placed")
                    : string.Create(CultureInfo.InvariantCulture, $"cluster: only {hosts.Count} of {_options.MinNodes} nodes host slices after {_options.NodesTimeout.TotalSeconds:0} s; nothing was placed. Are the 'sipactors node' processes running with --seed {_options.Seeds[0]}?");
                await _output.WriteLineAsync(why).ConfigureAwait(false);
                return null;
            }
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(300), stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>The nodes whose regions the sharding coordinator knows; none while it is not reachable yet.</summary>
    private async Task<IReadOnlyList<string>> HostsAsync()
    {
        try
        {
            return [.. (await _accounts.GetHostsAsync(AskTimeout).ConfigureAwait(false)).Select(a => a.ToString())];
        }
        catch (AskTimeoutException)
        {
            return [];
        }
    }

    public async Task SubscribeAsync(IActorRef statistics, IReadOnlyDictionary<string, int> index)
    {
        _runAccounts = [.. index.OrderBy(p => p.Value).Select(p => new AccountId(p.Key))];
        var probeId = "load-" + Guid.NewGuid().ToString("N");
        var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _feed = _system.ActorOf(ClusterEventFeed.Props(statistics, index, probeId, subscribed), "cluster-event-feed");
        await subscribed.Task.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        // The subscription reaches the nodes by gossip: place nothing before every node delivers to us,
        // or the first accounts' events would be lost.
        var deadline = DateTime.UtcNow + ProbeTimeout;
        var hosts = await HostsAsync().ConfigureAwait(false);
        while (true)
        {
            var state = await _feed.Ask<FeedState>(GetFeedState.Instance, AskTimeout).ConfigureAwait(false);
            var missing = hosts.Except(state.Confirmed, StringComparer.Ordinal).ToList();
            if (missing.Count == 0)
            {
                await _output.WriteLineAsync($"cluster: events of all {Plural.Of(hosts.Count, "node")} reach the coordinator").ConfigureAwait(false);
                break;
            }
            if (DateTime.UtcNow > deadline)
            {
                await _output.WriteLineAsync($"cluster: WARNING: no probe came back from {string.Join(", ", missing)} within {ProbeTimeout.TotalSeconds:0} s; its accounts' events may be missing").ConfigureAwait(false);
                break;
            }
            foreach (var node in missing)
            {
                ClusterEvents.Probe(_system, Address.Parse(node), new ClusterEventProbe(probeId, ClusterEventTopics.Connection));
            }
            await Task.Delay(TimeSpan.FromMilliseconds(300)).ConfigureAwait(false);
        }
        await PollAsync().ConfigureAwait(false); // the first reports: the baselines of the run's counters
        _polling = PollEverySecondAsync(_stopPolling.Token);
        _placer = _system.ActorOf(ClusterPlacer.Props(_accounts.Region), "cluster-placer");
    }

    public Task<CommandResult> HandOverAsync(IReadOnlyList<Connect> connects, LoadOptions options, CancellationToken stopFeeding)
    {
        _concurrency = options.Concurrency;
        var placed = _placer.Ask<CommandResult>(new PlaceAll(connects, options.RateStages, options.Rate, options.Concurrency), Timeout.InfiniteTimeSpan);
        var registration = stopFeeding.Register(() => _placer.Tell(StopPlacing.Instance));
        _ = placed.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
        return placed;
    }

    public async Task<CommandResult> DisconnectAllAsync(TimeSpan timeout)
    {
        await PollAsync().ConfigureAwait(false); // what each node holds at the end of the hold
        var result = await _placer.Ask<CommandResult>(new DisconnectEvery(_runAccounts, Math.Max(50, _concurrency)), timeout).ConfigureAwait(false);
        // Events and answers take different paths (pub/sub, and straight from the slice): the last events may come just after.
        await SettleAsync().ConfigureAwait(false);
        await PollAsync().ConfigureAwait(false); // the un-REGISTERs in the nodes' counts, for the last --stats row
        return result;
    }

    /// <summary>The accounts stay on the nodes, registered (and refreshed) after the coordinator left.</summary>
    public Task KeepRegisteredAsync() => Task.CompletedTask;

    /// <summary>Waits until no event arrived for half a second (at most 5 s).</summary>
    private async Task SettleAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        long last = -1;
        while (DateTime.UtcNow < deadline)
        {
            var events = (await _feed.Ask<FeedState>(GetFeedState.Instance, AskTimeout).ConfigureAwait(false)).Events;
            if (events == last)
            {
                return;
            }
            last = events;
            await Task.Delay(TimeSpan.FromMilliseconds(500)).ConfigureAwait(false);
        }
    }

    public async Task<LoadReport> CompleteAsync(LoadReport report)
    {
        await PollAsync().ConfigureAwait(false);
        var feed = await _feed.Ask<FeedState>(GetFeedState.Instance, AskTimeout).ConfigureAwait(false);
        var state = _cluster.State;
        var tallies = feed.Nodes.ToDictionary(n => n.Address, StringComparer.Ordinal);
        var nodes = tallies.Keys.Union(_reports.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(address =>
        {
            var tally = tallies.GetValueOrDefault(address);
            var member = state.Members.FirstOrDefault(m => m.Address.ToString() == address);
            var status = member is null ? "removed"
                : state.Unreachable.Any(u => u.Address.Equals(member.Address)) ? "unreachable"
                : member.Status.ToString().ToLowerInvariant();
            var (first, last, peak) = _reports.TryGetValue(address, out var seen) ? seen : (null, null, 0);
            return new LoadNode
            {
                Address = address,
                Status = status,
                Accounts = tally?.Accounts ?? 0,
                Registered = tally?.Registered ?? 0,
                Failed = tally?.Failed ?? 0,
                PeakRegistered = peak,
                CpuSeconds = last is null ? 0 : Math.Round(last.CpuSeconds - first!.CpuSeconds, 3),
                PeakWorkingSetBytes = last?.PeakWorkingSetBytes ?? 0,
                Refreshes = last is null ? 0 : last.Refreshes - first!.Refreshes,
                Retransmissions = last is null ? 0 : last.Retransmissions - first!.Retransmissions,
                TransactionTimeouts = last is null ? 0 : last.TransactionTimeouts - first!.TransactionTimeouts,
            };
        }).ToList();
        return report with
        {
            Nodes = nodes,
            Cluster = new ClusterRun
            {
                Coordinator = _cluster.SelfAddress.ToString(),
                MinNodes = _options.MinNodes,
                EventsReceived = feed.Events,
                EventGaps = feed.Gaps,
                LostWithNode = feed.LostWithNode,
            },
        };
    }

    private async Task PollEverySecondAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                await PollAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>Asks every reachable hosting node for its report, at once; a node that does not answer keeps its last one.</summary>
    private async Task PollAsync()
    {
        var state = _cluster.State;
        var role = _accounts.Settings.Role;
        var nodes = state.Members
            .Where(m => (role.Length == 0 || m.HasRole(role)) && m.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Leaving
                && !state.Unreachable.Any(u => u.Address.Equals(m.Address)))
            .Select(m => m.Address)
            .ToImmutableList();
        await Task.WhenAll(nodes.Select(async address =>
        {
            try
            {
                var path = new RootActorPath(address) / "user" / ClusterAccounts.NodeActorName;
                var report = await _system.ActorSelection(path).Ask<NodeReport>(GetNodeReport.Instance, AskTimeout).ConfigureAwait(false);
                var registered = report.Count(ConnectionStatus.Registered);
                _reports.AddOrUpdate(report.Node, _ => (report, report, registered), (_, seen) => (seen.First, report, Math.Max(seen.PeakRegistered, registered)));
            }
            catch (AskTimeoutException)
            {
            }
        })).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopPolling.CancelAsync().ConfigureAwait(false);
        await _polling.ConfigureAwait(false);
        _stopPolling.Dispose();
        // Leaving, rather than vanishing: the nodes would otherwise take the coordinator for a crashed member.
        try
        {
            await CoordinatedShutdown.Get(_system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance).WaitAsync(LeaveTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        await _system.Terminate().ConfigureAwait(false);
    }
}
