using System.Threading.Channels;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.Configuration;
using SipActors.Cluster.Hosting.Events;
using SipActors.Connections;
using SipActors.Events;
using SipActors.Hosting;
using SipActors.Hosting.Placement;

namespace SipActors.Cluster.Hosting;

/// <summary>
/// The accounts of a clustered host on the cluster's slices: <see cref="ClusterAccounts.Host"/>
/// (with this host's SIP stack and its node-wide connect rate) or <see cref="ClusterAccounts.Proxy"/>,
/// the configured accounts placed once enough nodes host slices, events from every node.
/// </summary>
internal sealed class ClusterPlacement(SipActorsClusterOptions options) : ISipActorsPlacement
{
    /// <summary>Name of the actor placing the configured accounts (<c>/user/sip-actors-placer</c>).</summary>
    public const string PlacerName = "sip-actors-placer";

    private ClusterAccounts? _accounts;

    /// <summary>The options as set in code.</summary>
    public SipActorsClusterOptions CodeOptions { get; } = options;

    /// <summary>The options in force: the code's with the configuration's over them, once started.</summary>
    public SipActorsClusterOptions Options { get; private set; } = options;

    /// <summary>The slices' region (or proxy) once started.</summary>
    public ClusterAccounts Accounts => _accounts ?? throw new InvalidOperationException("WithSipActors has not started the cluster's accounts yet");

    public (IActorRef Commands, IActorRef Status) Start(HostedSipActors hosted, IConfiguration? configuration)
    {
        var system = hosted.System;
        Options = CodeOptions.Final(configuration);
        // The same permit gate and account settings as the local supervisor would have had
        // (WithSipActors' options over HOCON), for the node as a whole; role and slices from the
        // configuration beat the HOCON the code's values became.
        var configured = ClusterAccountsSettings.Create(system.Settings.Config);
        var settings = configured with
        {
            Node = hosted.Settings.Supervisor,
            Role = Options.Role ?? configured.Role,
            Slices = Options.Slices ?? configured.Slices,
        };
        _accounts = Options.HostAccountsOrDefault
            ? ClusterAccounts.Host(system, hosted.Stack, settings)
            : ClusterAccounts.Proxy(system, settings);
        ActorRegistry.For(system).Register<SipAccountSlices>(_accounts.Region);
        return (_accounts.Region, _accounts.Node ?? hosted.Supervisor);
    }

    public void PlaceConfigured(HostedSipActors hosted, IReadOnlyList<Connect> accounts)
    {
        if (accounts.Count == 0)
        {
            return;
        }
        hosted.System.ActorOf(ClusterAccountsPlacer.Props(Accounts.Region, accounts, Options.MinNodesOrDefault), PlacerName);
    }

    public IActorRef Subscribe(ActorSystem system, Type eventType, ChannelWriter<AccountEvent> writer)
    {
        var subscriber = system.ActorOf(ClusterEventSubscriber.Props(eventType, writer));
        // This node's events from the moment this returns (the pub/sub registration spreads by gossip).
        system.EventStream.Subscribe(subscriber, eventType);
        return subscriber;
    }

    public string OnShutdown => Options.HostAccountsOrDefault
        ? "this node's account slices hand over to the other nodes (their accounts un-register here and register from there); the cluster keeps every account"
        : "this node hosts no accounts; the cluster keeps them";
}
