using Akka.Event;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SipActors.Connections;
using SipActors.Events;
using SipActors.Hosting.Events;
using SipActors.Sip.Registrar;

namespace SipActors.Hosting.Tests;

public sealed class AddSipActorsSpecs
{
    [Fact]
    public async Task Should_run_accounts_in_a_host_without_akka_and_log_through_the_host()
    {
        // Arrange: a host that never calls AddAkka itself
        await using var registrar = EmbeddedRegistrar.Start();
        var logs = new CapturingLoggerProvider();
        using var host = new HostBuilder()
            .ConfigureLogging(l => l.ClearProviders().SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Debug).AddProvider(logs))
            .ConfigureServices(services => services.AddSipActors(o => o.Accounts.Add(TestHost.Account(registrar, "grace"))))
            .Build();
        await using var registered = host.Services.GetRequiredService<ISipEvents>().Subscribe(ConnectionTopics.Registered);

        // Act
        await host.StartAsync();
        var accounts = await WithSipActorsSpecs.ReadDistinctAccountsAsync(registered, 1);

        // Assert
        Assert.Equal(["grace"], accounts);
        Assert.Equal(ConnectionStatus.Registered, (await host.Services.GetRequiredService<ISipAccounts>().GetStateAsync("grace")).Status);
        // Akka's lines reach the host's logger through a logger actor, asynchronously: whether a start-up
        // line comes before that actor is up, or a line at stop before it ends, is a race. A line logged
        // through Akka's own pipeline once the system runs is not: it must arrive, within a bound.
        host.Services.GetRequiredService<Akka.Actor.ActorSystem>().Log.Info("host logging check");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!logs.Lines.Any(l => l.Category.StartsWith("Akka", StringComparison.Ordinal) && l.Text.Contains("host logging check", StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, "Akka's log line did not reach the host's logger within 10 s");
            await Task.Delay(50);
        }
        await host.StopAsync();
        Assert.Equal(0, registrar.RegisteredUsers);
        // Akka's own log lines reach the host's logger (the bridge), ours too; no password anywhere.
        Assert.Contains(logs.Lines, l => l.Category.StartsWith("Akka", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, l => l.Category == "SipActors.Hosting");
        Assert.DoesNotContain(logs.Lines, l => l.Text.Contains("pw-grace", StringComparison.Ordinal));
    }
}
