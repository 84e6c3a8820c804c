using System.Net;
using Akka.Actor;
using Akka.Configuration;
using SipActors.Sip.UserAgents;

namespace SipActors.Cluster.Tests.Nodes;

/// <summary>One cluster node of a test: an ActorSystem on a loopback port, its own SIP stack (its own UDP socket) and its ClusterAccounts.</summary>
internal sealed class TestNode : IAsyncDisposable
{
    public const string SystemName = "sipactors";

    // Loopback tests: coordinated shutdown only when a test asks for it (a graceful leave), so
    // that terminating a node is an abrupt stop its peers must detect.
    private const string TestConfig = """
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        akka.coordinated-shutdown.run-by-actor-system-terminate = off
        akka.coordinated-shutdown.exit-clr = off
        sip-actors.cluster.slices = 30
        """;

    private TestNode(string name, ActorSystem system, SipStack stack)
    {
        Name = name;
        System = system;
        Stack = stack;
        Cluster = Akka.Cluster.Cluster.Get(system);
        SipPort = stack.GetUdpTransport(IPAddress.Loopback).LocalEndPoint.Port;
    }

    public string Name { get; }

    public ActorSystem System { get; }

    public SipStack Stack { get; }

    public Akka.Cluster.Cluster Cluster { get; }

    public ClusterAccounts Accounts { get; private set; } = null!;

    /// <summary>The node's SIP UDP port: the port of the Contacts its accounts register.</summary>
    public int SipPort { get; }

    public bool Stopped { get; private set; }

    public static TestNode Start(string name, string? extraConfig = null, bool host = true)
    {
        var settings = ClusterAccountsSettings.Create(ConfigurationFactory.ParseString(TestConfig));
        // SIPACTORS_TEST_LOGLEVEL=DEBUG shows what sharding and the slices did, when a spec needs explaining.
        var level = Environment.GetEnvironmentVariable("SIPACTORS_TEST_LOGLEVEL") is { Length: > 0 } l ? $"akka.loglevel = {l}\n" : "";
        var config = ConfigurationFactory.ParseString(level + (extraConfig ?? ""))
            .WithFallback(ConfigurationFactory.ParseString(TestConfig))
            .WithFallback(SipClusterConfig.Node("127.0.0.1", 0, host ? [settings.Role] : []));
        var system = ActorSystem.Create(SystemName, config);
        var node = new TestNode(name, system, new SipStack());
        node.Accounts = host ? ClusterAccounts.Host(system, node.Stack) : ClusterAccounts.Proxy(system);
        return node;
    }

    /// <summary>Gone without a word: its SIP socket closes first (no un-REGISTER leaves), then the system stops without leaving the cluster.</summary>
    public async Task CrashAsync()
    {
        Stopped = true;
        await Stack.DisposeAsync();
        await System.Terminate();
    }

    /// <summary>Leaves gracefully: coordinated shutdown hands its slices over (each un-registers its accounts first), leaves, stops.</summary>
    public async Task LeaveAsync()
    {
        Stopped = true;
        await CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
        await System.WhenTerminated;
        await Stack.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (Stopped)
        {
            return;
        }
        Stopped = true;
        await System.Terminate();
        await Stack.DisposeAsync();
    }
}
