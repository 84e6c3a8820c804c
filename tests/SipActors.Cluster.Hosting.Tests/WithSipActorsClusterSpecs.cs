using System.Diagnostics;
using Akka.Actor;
using SipActors.Cluster.Events;
using SipActors.Cluster.Hosting.Tests.Hosts;
using SipActors.Connections;
using SipActors.Events;
using SipActors.Hosting.Events;
using Xunit.Abstractions;

namespace SipActors.Cluster.Hosting.Tests;

/// <summary>
/// Generic hosts forming a cluster on 127.0.0.1, each with WithSipActors + WithSipActorsCluster and
/// the same configured accounts (replicas of one service), registering at the embedded registrar.
/// </summary>
public sealed class WithSipActorsClusterSpecs(ITestOutputHelper output)
{
    private const int Accounts = 24;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RegisterTimeout = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Should_place_configured_accounts_once_and_command_and_hear_them_from_a_node_that_hosts_none()
    {
        // Arrange: two hosting replicas and a front end (hosts no slice), all three configured with the same accounts.
        await using var hosts = new ClusteredHosts(output);
        var users = ClusteredHosts.Users(Accounts);
        var a = hosts.Add("a", hosts.AccountsOf(users), o => { o.MinNodes = 2; o.Slices = 30; });
        var b = hosts.Add("b", hosts.AccountsOf(users), o => { o.MinNodes = 2; o.Slices = 30; });
        var front = hosts.Add("front", hosts.AccountsOf(users), o => { o.HostAccounts = false; o.MinNodes = 2; o.Slices = 30; }, clusterFirst: true);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(hosts.Hosts.Select(h => h.StartAsync())).WaitAsync(StartTimeout);
        await hosts.AllUpAsync(StartTimeout);
        await hosts.AllRegisteredFromRunningHostsAsync(users, RegisterTimeout);
        output.WriteLine($"{Accounts} accounts registered {clock.Elapsed.TotalSeconds:0.0} s after the three hosts started");

        // Assert: each account registered exactly once although three hosts placed it, spread over
        // the two hosting nodes, none from the front end.
        Assert.All(users, u => Assert.Equal(1, hosts.Registrations(u)));
        var perHost = users.GroupBy(u => hosts.BindingHost(u)!.Name).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine("registered from: " + string.Join(", ", perHost.Select(p => $"{p.Key}={p.Value}")));
        Assert.Equal(["a", "b"], perHost.Keys.Order());
        // Actors find the region (the proxy on the front end) in the registry.
        var slices = await Akka.Hosting.ActorRegistry.For(front.System).GetAsync<SipAccountSlices>();
        Assert.Equal(ConnectionStatus.Registered, (await slices.Ask<ConnectionStateResult>(new GetState(users[0]), TimeSpan.FromSeconds(10))).Status);

        // Act: subscribe on the front end and on a; once every node knows the subscriptions,
        // disconnect one account of each hosting node from the front end.
        await using var frontEvents = front.Events.Subscribe(ConnectionTopics.All);
        await using var aEvents = a.Events.Subscribe(ConnectionTopics.Everything);
        await ClusteredHosts.DeliveredFromAsync(frontEvents, front, [a, b]);
        await ClusteredHosts.DeliveredFromAsync(aEvents, a, [b]);
        var onA = users.First(u => hosts.BindingHost(u) == a);
        var onB = users.First(u => hosts.BindingHost(u) == b);
        var disconnected = await Task.WhenAll(front.Accounts.DisconnectAsync(onA), front.Accounts.DisconnectAsync(onB));

        // Assert: the commands reached the accounts on their nodes (un-REGISTERed at the registrar),
        // the front end heard both accounts' teardown as the usual records, and a heard each once
        // (its own account from its event stream, b's over pub/sub: never twice).
        Assert.All(disconnected, r => Assert.Equal(CommandStatus.Ok, r.Status));
        await Eventually.HoldsAsync(() => hosts.Registrar.GetBindings(onA).Count == 0 && hosts.Registrar.GetBindings(onB).Count == 0,
            EventTimeout, () => "the disconnected accounts still have bindings");
        var heard = await ReadUntilAsync(frontEvents, e => e is Disconnected, [onA, onB]);
        foreach (var user in new[] { onA, onB })
        {
            Assert.Equal([ConnectionTopics.Disconnecting, ConnectionTopics.Unregistered, ConnectionTopics.Disconnected],
                heard.Where(e => e.Account.Value == user).Select(e => e.Topic));
        }
        var heardOnA = await ReadUntilAsync(aEvents, e => e is Disconnected, [onA, onB]);
        Assert.All(new[] { onA, onB }, u => Assert.Single(heardOnA, e => e.Account.Value == u && e is Disconnecting));

        // Act: connect b's account again from the front end (it knows the parameters from its configuration).
        var reconnected = await front.Accounts.ConnectAsync(onB);
        var state = await front.Accounts.GetStateAsync(onB);

        // Assert: registered again from a hosting node, heard on the front end with the same record type as a local host gets.
        Assert.Equal(CommandStatus.Ok, reconnected.Status);
        Assert.Equal(ConnectionStatus.Registered, state.Status);
        var again = await ReadUntilAsync(frontEvents, e => e is ConnectSucceeded, [onB]);
        var registered = Assert.IsType<Registered>(Assert.Single(again, e => e is Registered));
        Assert.Contains($":{hosts.BindingHost(onB)!.SipPort}", registered.Contact, StringComparison.Ordinal);
        Assert.Equal(2, hosts.Registrations(onB));
        Assert.Equal(0, frontEvents.Dropped);
    }

    [Fact]
    public async Task Should_carry_on_the_accounts_of_a_host_that_stops_gracefully_on_the_others()
    {
        // Arrange: three hosting replicas with the same accounts.
        await using var hosts = new ClusteredHosts(output);
        var users = ClusteredHosts.Users(Accounts);
        foreach (var name in new[] { "a", "b", "c" })
        {
            hosts.Add(name, hosts.AccountsOf(users), o => { o.MinNodes = 3; o.Slices = 30; });
        }
        await Task.WhenAll(hosts.Hosts.Select(h => h.StartAsync())).WaitAsync(StartTimeout);
        await hosts.AllUpAsync(StartTimeout);
        await hosts.AllRegisteredFromRunningHostsAsync(users, RegisterTimeout);
        Assert.All(users, u => Assert.Equal(1, hosts.Registrations(u)));
        var stopping = hosts.Hosts[2];
        var moved = users.Where(u => hosts.BindingHost(u) == stopping).ToList();
        Assert.NotEmpty(moved);
        _ = stopping.SipPort;

        // Act: the host stops as a service does (IHost.StopAsync: coordinated shutdown, cluster leave).
        var clock = Stopwatch.StartNew();
        await stopping.StopAsync();
        var stopped = clock.Elapsed;
        await hosts.AllRegisteredFromRunningHostsAsync(users, TimeSpan.FromSeconds(60));
        output.WriteLine($"{moved.Count} accounts moved: host stopped in {stopped.TotalSeconds:0.0} s, all registered from the others {clock.Elapsed.TotalSeconds:0.0} s after the stop began");

        // Assert: the stopping host's accounts were un-registered by it, then registered once from a
        // survivor; the others' accounts were left alone; the cluster still runs every account.
        foreach (var user in moved)
        {
            var history = hosts.History(user);
            Assert.True(history.Count == 3 && history[0].Expires > 0 && history[1].Expires == 0 && history[2].Expires > 0,
                $"{user}: {string.Join(" | ", history.Select(h => h.Expires))}");
        }
        Assert.All(users.Except(moved), u => Assert.Equal(1, hosts.Registrations(u)));
        var survivor = hosts.Hosts[0];
        foreach (var user in moved)
        {
            Assert.Equal(ConnectionStatus.Registered, (await survivor.Accounts.GetStateAsync(user)).Status);
        }
        var counted = 0;
        foreach (var host in hosts.Running)
        {
            counted += (await host.Accounts.GetStatusAsync()).Count(ConnectionStatus.Registered);
        }
        Assert.Equal(Accounts, counted);

        // Act: the rest of the cluster stops too, one host after the other.
        _ = hosts.Hosts[1].SipPort;
        await hosts.Hosts[1].StopAsync();
        await hosts.AllRegisteredFromRunningHostsAsync(users, TimeSpan.FromSeconds(60));
        await hosts.Hosts[0].StopAsync();

        // Assert: the last node's leave un-registered every account: no binding is left behind.
        Assert.All(users, u => Assert.Empty(hosts.Registrar.GetBindings(u)));
    }

    /// <summary>Reads <paramref name="subscription"/> until, for every account of <paramref name="accounts"/>, an event matching <paramref name="last"/> arrived; returns what it read of those accounts.</summary>
    private static async Task<List<AccountEvent>> ReadUntilAsync(SipEventSubscription subscription, Func<AccountEvent, bool> last, IReadOnlyCollection<string> accounts)
    {
        using var timeout = new CancellationTokenSource(EventTimeout);
        var read = new List<AccountEvent>();
        var done = new HashSet<string>();
        try
        {
            while (done.Count < accounts.Count)
            {
                var e = await subscription.ReadAsync(timeout.Token);
                if (!accounts.Contains(e.Account.Value))
                {
                    continue;
                }
                read.Add(e);
                if (last(e))
                {
                    done.Add(e.Account.Value);
                }
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"not within {EventTimeout.TotalSeconds:0} s; read: {string.Join(", ", read.Select(e => $"{e.Account} {e.Topic}"))}");
        }
        return read;
    }
}
