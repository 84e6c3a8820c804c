using Akka.Actor;
using System.Diagnostics.Metrics;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SipActors.Connections;
using SipActors.Diagnostics;
using SipActors.Events;
using SipActors.Hosting.Diagnostics;
using SipActors.Hosting.Events;
using SipActors.Sip.Registrar;

namespace SipActors.Hosting.Tests;

public sealed class WithSipActorsSpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Should_register_ten_accounts_bridge_their_events_and_unregister_them_all_on_stop()
    {
        // Arrange
        await using var registrar = EmbeddedRegistrar.Start();
        var users = Enumerable.Range(1, 10).Select(i => $"user{i:00}").ToList();
        var logs = new CapturingLoggerProvider();
        using var host = TestHost.Build(o => o.Accounts.AddRange(users.Select(u => TestHost.Account(registrar, u))), logs: logs);
        using var metrics = new MetricsRecorder(host.Services.GetRequiredService<IMeterFactory>());
        var events = host.Services.GetRequiredService<ISipEvents>();
        // Subscribed before start: the accounts connect during StartAsync.
        await using var all = events.Subscribe(ConnectionTopics.All);
        await using var registered = events.Subscribe(ConnectionTopics.Registered);

        // Act
        await host.StartAsync();
        var registeredAccounts = await ReadDistinctAccountsAsync(registered, users.Count);

        // Assert: registered at the registrar, announced on the one-topic subscription
        Assert.Equal(users, registeredAccounts.Order());
        Assert.Equal(users.Count, registrar.RegisteredUsers);
        var supervisor = await host.Services.GetRequiredService<IRequiredActor<ConnectionSupervisor>>().GetAsync();
        Assert.False(supervisor.IsNobody());

        // Assert: the metrics
        await TestHost.AwaitConditionAsync(() =>
        {
            metrics.Observe();
            return metrics.Gauge(SipActorsHostingMetrics.Accounts, ("state", "registered")) == users.Count;
        }, Patience, "the accounts gauge shows 10 registered accounts");
        Assert.Equal(0, metrics.Gauge(SipActorsHostingMetrics.Accounts, ("state", "connecting")));
        Assert.Equal(users.Count, metrics.Sum(SipActorsHostingMetrics.TransportConnections, ("transport", "udp")));
        Assert.Equal(users.Count, metrics.Count(SipActorsHostingMetrics.RegistrationDuration));
        Assert.True(metrics.Values(SipActorsHostingMetrics.RegistrationDuration).All(s => s is >= 0 and < 30));
        Assert.True(metrics.Sum(SipActorsMetrics.Registrations) >= users.Count, "the actor layer's registration counter reached 10");
        Assert.NotNull(metrics.Gauge(SipActorsHostingMetrics.TransactionsInFlight));

        var seen = await ReadUntilAsync(all, e => e.Count(x => x is Registered) == users.Count);
        foreach (var user in users)
        {
            Assert.Equal(
                [ConnectionTopics.ConnectStarted, ConnectionTopics.Connecting, ConnectionTopics.Connected, ConnectionTopics.Registered],
                seen.Where(e => e.Account.Value == user && e is ConnectStarted or Connecting or Connected or Registered).Select(e => e.Topic));
        }

        // Act: stop the host
        await host.StopAsync();

        // Assert: every binding removed before StopAsync returned
        Assert.Equal(0, registrar.RegisteredUsers);
        Assert.Equal(0, all.Dropped);
        Assert.DoesNotContain(logs.Lines, l => l.Text.Contains("pw-", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, l => l.Category.StartsWith("Akka", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, l => l.Text.Contains("every account disconnected", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Should_take_accounts_and_settings_from_configuration_over_code()
    {
        // Arrange
        await using var registrar = EmbeddedRegistrar.Start();
        var configuration = new Dictionary<string, string?>
        {
            ["SipActors:ConnectTimeout"] = "00:00:04",
            ["SipActors:Accounts:0:Id"] = "from-config",
            ["SipActors:Accounts:0:SipServerIp"] = registrar.Domain,
            ["SipActors:Accounts:0:SipServerUrl"] = $"udp://{registrar.UdpEndPoint}",
            ["SipActors:Accounts:0:Register"] = "true",
            ["SipActors:Accounts:0:User"] = "alice",
            ["SipActors:Accounts:0:Password"] = "pw-alice",
        };
        using var host = TestHost.Build(o =>
        {
            o.ConnectTimeout = TimeSpan.FromSeconds(3);
            o.ShutdownTimeout = TimeSpan.FromSeconds(12);
        }, configuration);
        await using var registered = host.Services.GetRequiredService<ISipEvents>().Subscribe(ConnectionTopics.Registered);

        // Act
        await host.StartAsync();
        var accounts = await ReadDistinctAccountsAsync(registered, 1);

        // Assert
        var runtime = HostedSipActors.Find(host.System())!;
        Assert.Equal(TimeSpan.FromSeconds(4), runtime.Options.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(4), runtime.Settings.Supervisor.Account.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(12), runtime.Options.ShutdownTimeout);
        Assert.Equal(TimeSpan.FromSeconds(17), host.System().Settings.Config.GetTimeSpan("akka.coordinated-shutdown.phases.service-unbind.timeout"));
        Assert.Equal(["from-config"], accounts);
        Assert.Single(registrar.GetBindings("alice"));
        await host.StopAsync();
        Assert.Equal(0, registrar.RegisteredUsers);
    }

    [Fact]
    public async Task Should_fail_start_up_naming_the_bad_configuration_key()
    {
        // Arrange
        var configuration = new Dictionary<string, string?>
        {
            ["SipActors:ConnectTimeout"] = "-00:00:05",
            ["SipActors:Accounts:0:Id"] = "bob",
            ["SipActors:Accounts:0:SipServerIp"] = "127.0.0.1",
            ["SipActors:Accounts:0:SipServerUrl"] = "carrier-pigeon://127.0.0.1",
            ["SipActors:Accounts:0:Register"] = "true",
            ["SipActors:Accounts:0:User"] = "bob",
            ["SipActors:Accounts:0:Password"] = "pw-secret-bob",
        };
        using var host = TestHost.Build(configuration: configuration);

        // Act
        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        // Assert
        Assert.Contains("SipActors:ConnectTimeout", error.Message);
        Assert.Contains("SipActors:Accounts:0:SipServerUrl", error.Message);
        Assert.DoesNotContain("pw-secret-bob", error.Message);
    }

    [Fact]
    public async Task Should_fail_start_up_naming_the_bad_key_without_the_services()
    {
        // Arrange: only WithSipActors (no AddSipActorsServices): the check runs when the actor system starts
        using var host = TestHost.Build(o => o.Accounts.Add(new SipAccountOptions { Id = "carol", SipServerIp = "127.0.0.1", SipServerUrl = "udp://127.0.0.1:5060", Register = true, User = "carol" }),
            withServices: false);

        // Act
        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        // Assert
        Assert.Contains("SipActors:Accounts:0:Password is required", error.Message);
    }

    /// <summary>Reads the subscription until <paramref name="count"/> distinct accounts were seen.</summary>
    internal static async Task<List<string>> ReadDistinctAccountsAsync(SipEventSubscription subscription, int count)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var accounts = new HashSet<string>();
        try
        {
            await foreach (var e in subscription.ReadAllAsync(timeout.Token))
            {
                Assert.Equal(subscription.Topic, e.Topic);
                accounts.Add(e.Account.Value);
                if (accounts.Count == count)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"{accounts.Count} of {count} accounts on {subscription.Topic} within {Patience.TotalSeconds} s: {string.Join(", ", accounts)}");
        }
        return [.. accounts];
    }

    /// <summary>Reads the subscription until <paramref name="done"/> holds for what was read.</summary>
    internal static async Task<List<AccountEvent>> ReadUntilAsync(SipEventSubscription subscription, Func<List<AccountEvent>, bool> done)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var events = new List<AccountEvent>();
        try
        {
            while (!done(events))
            {
                events.Add(await subscription.ReadAsync(timeout.Token));
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"Not within {Patience.TotalSeconds} s; read: {string.Join(", ", events.Select(e => $"{e.Account} {e.Topic}"))}");
        }
        return events;
    }
}
