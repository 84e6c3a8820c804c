using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Sharding;
using SipActors.Cluster.Events;
using SipActors.Cluster.Sharding;
using SipActors.Configuration;
using SipActors.Connections;
using SipActors.Sip.UserAgents;

namespace SipActors.Cluster;

/// <summary>
/// Accounts placed over an Akka.Cluster. <see cref="Host"/> on every node that runs accounts
/// (role <see cref="ClusterAccountsSettings.Role"/>, its own <see cref="SipStack"/>);
/// <see cref="Proxy"/> on a node that only places them. Either way <see cref="Region"/> takes
/// every account command (<c>IWithAccountId</c>) and delivers it to the account wherever its slice
/// runs: send <see cref="Connect"/>s with parameters to place accounts.
/// </summary>
public sealed class ClusterAccounts
{
    /// <summary>Name of the node's permit gate and counts (<c>/user/sip-account-node</c>).</summary>
    public const string NodeActorName = "sip-account-node";

    private ClusterAccounts(ActorSystem system, IActorRef region, IActorRef? node, AccountSliceMessageExtractor extractor, ClusterAccountsSettings settings)
    {
        System = system;
        Region = region;
        Node = node;
        Extractor = extractor;
        Settings = settings;
    }

    public ActorSystem System { get; }

    /// <summary>The shard region (or proxy): send it account commands.</summary>
    public IActorRef Region { get; }

    /// <summary>This node's <see cref="AccountNode"/> (null on a proxy).</summary>
    public IActorRef? Node { get; }

    public AccountSliceMessageExtractor Extractor { get; }

    public ClusterAccountsSettings Settings { get; }

    /// <summary>
    /// Hosts slices on this node: starts the node's <see cref="AccountNode"/>, the shard region
    /// (DData state store and remember-entities, both set here whatever the HOCON says; no
    /// passivation) and, unless <paramref name="publishEvents"/> is false, the event bridge.
    /// The node must have the role <see cref="ClusterAccountsSettings.Role"/>.
    /// </summary>
    public static ClusterAccounts Host(ActorSystem system, SipStack stack, ClusterAccountsSettings? settings = null, bool publishEvents = true)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(stack);
        settings ??= ClusterAccountsSettings.Create(system.Settings.Config);
        var cluster = Akka.Cluster.Cluster.Get(system);
        if (settings.Role.Length > 0 && !cluster.SelfRoles.Contains(settings.Role))
        {
            throw new SipActorsConfigurationException("akka.cluster.roles", $"a node that hosts accounts needs the role '{settings.Role}' (sip-actors.cluster.role); this one has [{string.Join(", ", cluster.SelfRoles)}]");
        }
        var node = system.ActorOf(AccountNode.Props(settings.Node, stack), NodeActorName);
        var sharding = ClusterSharding.Get(system);
        var shardingSettings = ShardingSettings(system, settings);
        var extractor = new AccountSliceMessageExtractor(new AccountMessageExtractor(settings.Slices));
        var region = sharding.Start(settings.TypeName, AccountSlice.Props(stack, node, settings), shardingSettings, extractor,
            sharding.DefaultShardAllocationStrategy(shardingSettings), SliceHandOff.Instance);
        if (publishEvents)
        {
            ClusterEvents.StartBridge(system);
        }
        return new ClusterAccounts(system, region, node, extractor, settings);
    }

    /// <summary>Places accounts without hosting any: a proxy to the region on the nodes with the role.</summary>
    public static ClusterAccounts Proxy(ActorSystem system, ClusterAccountsSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        settings ??= ClusterAccountsSettings.Create(system.Settings.Config);
        var extractor = new AccountSliceMessageExtractor(new AccountMessageExtractor(settings.Slices));
        var region = ClusterSharding.Get(system).StartProxy(settings.TypeName, settings.Role.Length == 0 ? null! : settings.Role, extractor);
        return new ClusterAccounts(system, region, null, extractor, settings);
    }

    /// <summary>
    /// The sharding settings of the slices: the HOCON's tuning and singleton settings, with the
    /// choices this mode depends on set in code: the role, remember-entities on, the coordinator
    /// state and the remembered entities in Distributed Data (Akka's reference default and
    /// Akka.Cluster.Hosting's are persistence), no idle passivation.
    /// </summary>
    public static ClusterShardingSettings ShardingSettings(ActorSystem system, ClusterAccountsSettings settings)
    {
        _ = ClusterSharding.Get(system); // loads sharding's reference config, which Create reads
        var configured = ClusterShardingSettings.Create(system);
        return new ClusterShardingSettings(
            role: settings.Role.Length == 0 ? null : settings.Role,
            rememberEntities: true,
            journalPluginId: configured.JournalPluginId,
            snapshotPluginId: configured.SnapshotPluginId,
            passivateIdleEntityAfter: TimeSpan.Zero,
            stateStoreMode: StateStoreMode.DData,
            rememberEntitiesStore: RememberEntitiesStore.DData,
            shardRegionQueryTimeout: configured.ShardRegionQueryTimeout,
            tuningParameters: configured.TuningParameters,
            coordinatorSingletonSettings: configured.CoordinatorSingletonSettings,
            leaseSettings: configured.LeaseSettings);
    }

    /// <summary>Places (or reconnects) an account; its answer goes to <paramref name="sender"/>. Throws for a Connect that cannot travel (a provider).</summary>
    public void Place(Connect connect, IActorRef? sender = null)
    {
        NotPlaceable.ThrowIfNotPlaceable(connect);
        Region.Tell(connect, sender ?? ActorRefs.NoSender);
    }

    /// <summary>Places an account and waits for its connect's answer.</summary>
    public Task<CommandResult> PlaceAsync(Connect connect, TimeSpan timeout)
    {
        NotPlaceable.ThrowIfNotPlaceable(connect);
        return Region.Ask<CommandResult>(connect, timeout);
    }

    /// <summary>The nodes whose regions the coordinator knows (the nodes that host slices).</summary>
    public async Task<IImmutableSet<Address>> GetHostsAsync(TimeSpan timeout)
        => (await Region.Ask<CurrentRegions>(GetCurrentRegions.Instance, timeout).ConfigureAwait(false)).Regions;

    /// <summary>
    /// Waits until at least <paramref name="count"/> nodes host slices: placing earlier would give
    /// every slice to the first nodes, and only capped rebalancing would move them later.
    /// </summary>
    public async Task WaitForHostsAsync(int count, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"fewer than {count} nodes host slices after {timeout}");
            }
            try
            {
                if ((await GetHostsAsync(TimeSpan.FromSeconds(Math.Min(3, left.TotalSeconds))).ConfigureAwait(false)).Count >= count)
                {
                    return;
                }
            }
            catch (AskTimeoutException)
            {
                // The coordinator is still starting; ask again.
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>This node's accounts per state (a hosting node only).</summary>
    public Task<SupervisorStatus> GetNodeStatusAsync(TimeSpan timeout)
        => (Node ?? throw new InvalidOperationException("a proxy hosts no accounts")).Ask<SupervisorStatus>(GetSupervisorStatus.Instance, timeout);

    /// <summary>The slices running on this node (a hosting node only).</summary>
    public async Task<IReadOnlyList<int>> GetLocalSlicesAsync(TimeSpan timeout)
    {
        if (Node is null)
        {
            return [];
        }
        var state = await Region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, timeout).ConfigureAwait(false);
        return [.. state.Shards.Select(s => AccountSliceMessageExtractor.TryParseSlice(s.ShardId, out var slice) ? slice : -1).Where(s => s >= 0).Order()];
    }
}
