using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SipActors.Hosting;
using SipActors.Hosting.Events;
using SipActors.Sip.Registrar;
using Xunit.Abstractions;

namespace SipActors.Cluster.Hosting.Tests.Hosts;

/// <summary>
/// One generic host of a test as a service would write it: AddSipActorsServices, AddAkka with
/// WithRemoting on a loopback port, WithClustering (seed: the first host), WithSipActors with its
/// configured accounts and WithSipActorsCluster.
/// </summary>
internal sealed class ClusteredHost : IAsyncDisposable
{
    public const string SystemName = "sipactors";

    private ClusteredHost(string name, int port, IHost host)
    {
        Name = name;
        Port = port;
        Host = host;
    }

    public string Name { get; }

    /// <summary>The Akka.Remote port on 127.0.0.1.</summary>
    public int Port { get; }

    public string Address => $"akka.tcp://{SystemName}@127.0.0.1:{Port}";

    public IHost Host { get; }

    public bool Stopped { get; private set; }

    public ActorSystem System => Host.Services.GetRequiredService<ActorSystem>();

    public ISipAccounts Accounts => Host.Services.GetRequiredService<ISipAccounts>();

    public ISipEvents Events => Host.Services.GetRequiredService<ISipEvents>();

    /// <summary>The UDP port of this host's SIP stack: the port of the Contacts its accounts register.</summary>
    public int SipPort => StoppedSipPort = HostedSipActors.Find(System)!.Stack.GetUdpTransport(IPAddress.Loopback).LocalEndPoint.Port;

    /// <summary>The SIP port it had, once stopped (read <see cref="SipPort"/> before stopping).</summary>
    public int StoppedSipPort { get; private set; }

    /// <summary>
    /// Builds a host (not started). <paramref name="clusterFirst"/> calls WithSipActorsCluster before
    /// WithSipActors, which must work the same.
    /// </summary>
    public static ClusteredHost Create(string name, int port, string seed, IEnumerable<SipAccountOptions> accounts, Action<SipActorsClusterOptions> cluster,
        ITestOutputHelper output, bool clusterFirst = false, string[]? roles = null, IDictionary<string, string?>? configuration = null,
        string? hocon = null)
    {
        var options = new SipActorsClusterOptions();
        cluster(options);
        roles ??= options.HostAccounts ?? true ? ["sip-accounts"] : [];
        var level = Environment.GetEnvironmentVariable("SIPACTORS_TEST_LOGLEVEL") is { Length: > 0 } l ? l : "WARNING";
        var host = new HostBuilder()
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(configuration ?? new Dictionary<string, string?>()))
            .ConfigureLogging(logging =>
            {
                logging.ClearProviders();
                logging.SetMinimumLevel(level == "WARNING" ? LogLevel.Information : LogLevel.Debug);
                logging.AddProvider(new TestOutputLoggerProvider(output, name));
            })
            .ConfigureServices(services =>
            {
                services.AddSipActorsServices();
                services.AddAkka(SystemName, builder =>
                {
                    builder
                        .ConfigureLoggers(loggers =>
                        {
                            loggers.LogLevel = level == "WARNING" ? Akka.Event.LogLevel.InfoLevel : Akka.Event.LogLevel.DebugLevel;
                            loggers.ClearLoggers();
                            loggers.AddLoggerFactory();
                        })
                        .WithRemoting("127.0.0.1", port)
                        .WithClustering(new ClusterOptions { Roles = roles, SeedNodes = [seed] });
                    if (hocon is not null)
                    {
                        builder.AddHocon(hocon, HoconAddMode.Prepend);
                    }
                    if (clusterFirst)
                    {
                        builder.WithSipActorsCluster(options);
                    }
                    builder.WithSipActors(o =>
                    {
                        o.Accounts.AddRange(accounts);
                        o.StatusRefreshInterval = TimeSpan.FromMilliseconds(200);
                    });
                    if (!clusterFirst)
                    {
                        builder.WithSipActorsCluster(options);
                    }
                });
            })
            .Build();
        return new ClusteredHost(name, port, host);
    }

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

    /// <summary>A loopback TCP port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public Task StartAsync() => Host.StartAsync();

    /// <summary>Stops the host as a service stops: coordinated shutdown, the cluster left gracefully.</summary>
    public async Task StopAsync()
    {
        Stopped = true;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await Host.StopAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (!Stopped)
        {
            Stopped = true;
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await Host.StopAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // Cleaning up after a failed spec: the host is disposed below anyway.
            }
        }
        Host.Dispose();
    }
}
