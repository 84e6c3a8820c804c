using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using SipActors.Cluster.Events;
using SipActors.Events;
using SipActors.Hosting;
using SipActors.Hosting.Events;
using SipActors.Sip.Registrar;
using Xunit.Abstractions;

namespace SipActors.Cluster.Hosting.Tests.Hosts;

/// <summary>
/// Several <see cref="ClusteredHost"/>s of one test forming a cluster on 127.0.0.1 ports (the first
/// is the seed), and the embedded registrar their accounts register with, with every REGISTER it
/// accepted per user.
/// </summary>
internal sealed class ClusteredHosts : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(string Contact, int Expires)>> _registrations = new();
    private readonly List<ClusteredHost> _hosts = [];
    private readonly ITestOutputHelper _output;
    private readonly int _seedPort = ClusteredHost.FreePort();

    public ClusteredHosts(ITestOutputHelper output)
    {
        _output = output;
        Registrar = EmbeddedRegistrar.Start();
        Registrar.Registered += (user, contact, expires) => _registrations.GetOrAdd(user, _ => new()).Enqueue((contact, expires));
    }

    public EmbeddedRegistrar Registrar { get; }

    public IReadOnlyList<ClusteredHost> Hosts => _hosts;

    public IEnumerable<ClusteredHost> Running => _hosts.Where(h => !h.Stopped);

    public static IReadOnlyList<string> Users(int count) => [.. Enumerable.Range(0, count).Select(i => $"user{i:D3}")];

    public IReadOnlyList<SipAccountOptions> AccountsOf(IEnumerable<string> users) => [.. users.Select(u => ClusteredHost.Account(Registrar, u))];

    /// <summary>Builds the next host (the first one is the seed), not started.</summary>
    public ClusteredHost Add(string name, IEnumerable<SipAccountOptions> accounts, Action<SipActorsClusterOptions> cluster, bool clusterFirst = false, string[]? roles = null,
        IDictionary<string, string?>? configuration = null, string? hocon = null)
    {
        var port = _hosts.Count == 0 ? _seedPort : ClusteredHost.FreePort();
        var host = ClusteredHost.Create(name, port, $"akka.tcp://{ClusteredHost.SystemName}@127.0.0.1:{_seedPort}", accounts, cluster, _output, clusterFirst, roles, configuration, hocon);
        _hosts.Add(host);
        return host;
    }

    /// <summary>Waits until every running host sees every running host Up.</summary>
    public Task AllUpAsync(TimeSpan timeout)
    {
        var count = Running.Count();
        return Eventually.HoldsAsync(() => Running.All(h => Akka.Cluster.Cluster.Get(h.System).State.Members.Count(m => m.Status == MemberStatus.Up) == count), timeout,
            () => string.Join("; ", Running.Select(h => h.Name + ": " + string.Join(", ", Akka.Cluster.Cluster.Get(h.System).State.Members.Select(m => $"{m.Address.Port}={m.Status}")))));
    }

    /// <summary>REGISTERs that added or refreshed a binding (expires &gt; 0) for <paramref name="user"/>.</summary>
    public int Registrations(string user) => _registrations.TryGetValue(user, out var q) ? q.Count(r => r.Expires > 0) : 0;

    /// <summary>Every accepted REGISTER of <paramref name="user"/>, in order.</summary>
    public IReadOnlyList<(string Contact, int Expires)> History(string user) => _registrations.TryGetValue(user, out var q) ? [.. q] : [];

    /// <summary>The host whose SIP socket registered <paramref name="user"/>'s one live binding, or null when it has none or several.</summary>
    public ClusteredHost? BindingHost(string user)
    {
        var bindings = Registrar.GetBindings(user);
        return bindings.Count != 1 ? null : _hosts.FirstOrDefault(h => !h.Stopped && bindings[0].ContactUri.Contains($":{h.SipPort}", StringComparison.Ordinal))
            ?? _hosts.FirstOrDefault(h => h.Stopped && bindings[0].ContactUri.Contains($":{h.StoppedSipPort}", StringComparison.Ordinal));
    }

    /// <summary>Waits until every user has exactly one live binding, registered from a running host.</summary>
    public Task AllRegisteredFromRunningHostsAsync(IReadOnlyList<string> users, TimeSpan timeout)
        => Eventually.HoldsAsync(() => users.All(u => BindingHost(u) is { Stopped: false }), timeout, () =>
        {
            var missing = users.Where(u => BindingHost(u) is not { Stopped: false }).ToList();
            return $"{missing.Count} of {users.Count} accounts not registered from a running host, e.g. "
                + string.Join(", ", missing.Take(3).Select(u => $"{u}: [{string.Join(" | ", Registrar.GetBindings(u).Select(b => b.ContactUri))}]"));
        });

    /// <summary>Waits until every running host's mediator knows <paramref name="topic"/> has a subscriber (pub/sub registries spread by gossip).</summary>
    public Task TopicKnownEverywhereAsync(string topic)
        => Eventually.HoldsAsync(async () =>
        {
            foreach (var host in Running)
            {
                var topics = await DistributedPubSub.Get(host.System).Mediator.Ask<CurrentTopics>(GetTopics.Instance, TimeSpan.FromSeconds(5));
                if (!topics.Topics.Contains(topic))
                {
                    return false;
                }
            }
            return true;
        }, TimeSpan.FromSeconds(20), () => $"topic {topic} not known on every host");

    /// <summary>
    /// Waits until <paramref name="subscription"/> (on <paramref name="subscriber"/>) receives what
    /// each of <paramref name="publishers"/> publishes: pub/sub registrations spread by gossip, so a
    /// new subscription hears another node only a moment later. Each publisher's mediator publishes
    /// a connect-started of a probe account until it arrives; what the subscription read is dropped.
    /// </summary>
    public static async Task DeliveredFromAsync(SipEventSubscription subscription, ClusteredHost subscriber, IEnumerable<ClusteredHost> publishers)
    {
        foreach (var publisher in publishers.Where(p => p != subscriber))
        {
            var probe = $"probe-{publisher.Name}-to-{subscriber.Name}";
            var node = Akka.Cluster.Cluster.Get(publisher.System).SelfAddress.ToString();
            var mediator = DistributedPubSub.Get(publisher.System).Mediator;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var heard = false;
            for (var n = 1L; !heard; n++)
            {
                var started = new ConnectStarted(probe, DateTimeOffset.UtcNow);
                mediator.Tell(new Publish(ClusterEventTopics.Connection, new ClusterAccountEvent(node, probe, n, started.Topic, started.Time, started.ToJson())));
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
                wait.CancelAfter(TimeSpan.FromMilliseconds(250));
                try
                {
                    while (!heard)
                    {
                        heard = (await subscription.ReadAsync(wait.Token)).Account.Value == probe;
                    }
                }
                catch (OperationCanceledException) when (!timeout.IsCancellationRequested)
                {
                    // Not yet: publish again.
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            await host.DisposeAsync();
        }
        await Registrar.DisposeAsync();
    }
}
