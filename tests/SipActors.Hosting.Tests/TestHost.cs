using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SipActors.Sip.Registrar;

namespace SipActors.Hosting.Tests;

/// <summary>A generic host with AddAkka + WithSipActors, configuration from a dictionary, and every log line captured.</summary>
internal static class TestHost
{
    public static IHost Build(
        Action<SipActorsOptions>? configure = null,
        IDictionary<string, string?>? configuration = null,
        CapturingLoggerProvider? logs = null,
        bool withServices = true)
        => new HostBuilder()
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(configuration ?? new Dictionary<string, string?>()))
            .ConfigureLogging(l =>
            {
                l.ClearProviders();
                l.SetMinimumLevel(LogLevel.Debug);
                if (logs is not null)
                {
                    l.AddProvider(logs);
                }
            })
            .ConfigureServices(services =>
            {
                if (withServices)
                {
                    services.AddSipActorsServices();
                }
                services.AddAkka("hosting-test", builder => builder
                    .ConfigureLoggers(loggers =>
                    {
                        loggers.LogLevel = Akka.Event.LogLevel.DebugLevel;
                        loggers.ClearLoggers();
                        loggers.AddLoggerFactory();
                    })
                    .WithSipActors(o =>
                    {
                        // Fresh counts for the gauge within a test's patience.
                        o.StatusRefreshInterval = TimeSpan.FromMilliseconds(100);
                        configure?.Invoke(o);
                    }));
            })
            .Build();

    /// <summary>An account of the embedded registrar (password "pw-" + user).</summary>
    public static SipAccountOptions Account(EmbeddedRegistrar registrar, string user) => new()
    {
        Id = user,
        SipServerIp = registrar.Domain,
        SipServerUrl = $"udp://{registrar.UdpEndPoint}",
        Register = true,
        User = user,
        Password = "pw-" + user,
        RegisterExpires = 300,
    };

    public static ActorSystem System(this IHost host) => host.Services.GetRequiredService<ActorSystem>();

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="max"/> passed; fails with <paramref name="because"/>.</summary>
    public static Task AwaitConditionAsync(Func<bool> condition, TimeSpan max, string because)
        => AwaitConditionAsync(() => Task.FromResult(condition()), max, because);

    /// <summary>As the synchronous form, for a condition that asks the accounts.</summary>
    public static async Task AwaitConditionAsync(Func<Task<bool>> condition, TimeSpan max, string because)
    {
        var deadline = DateTime.UtcNow + max;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not within {max.TotalSeconds} s: {because}");
            }
            await Task.Delay(50);
        }
    }
}
