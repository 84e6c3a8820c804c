using System.Collections.Concurrent;
using Akka.Actor;
using Microsoft.Extensions.Logging;
using SipActors.Configuration;
using SipActors.Connections;
using SipActors.Hosting.Diagnostics;
using SipActors.Runtime;
using SipActors.Sip.UserAgents;

namespace SipActors.Hosting;

/// <summary>
/// What <c>WithSipActors</c> started in one actor system, kept as an Akka extension so that
/// services created by the DI container before the actor system existed (<see cref="SipAccounts"/>)
/// find it: the <see cref="SipActorsRuntime"/> (stack and supervisor), the final options, the
/// metrics and the known accounts' parameters.
/// </summary>
internal sealed class HostedSipActors : IExtension
{
    public HostedSipActors(SipActorsRuntime runtime, SipActorsOptions options, SipActorsInstruments instruments, ILogger logger)
    {
        Runtime = runtime;
        Options = options;
        Instruments = instruments;
        Logger = logger;
    }

    /// <summary>The stack and the supervisor, built by the core library's one composition root.</summary>
    public SipActorsRuntime Runtime { get; }

    public ActorSystem System => Runtime.System;
    public IActorRef Supervisor => Runtime.Supervisor;

    /// <summary>
    /// Where <see cref="ISipAccounts"/> sends account commands: the <see cref="Supervisor"/>, or in a
    /// clustered host the shard region (or proxy) of the account slices. Set before the host's
    /// registration makes it visible to <see cref="SipAccounts"/>.
    /// </summary>
    public IActorRef Accounts { get; set; } = ActorRefs.Nobody;

    /// <summary>What answers this node's accounts per state: the supervisor, or the cluster node's account counts.</summary>
    public IActorRef Status { get; set; } = ActorRefs.Nobody;

    /// <summary>The clustered placement, or null when the accounts are this process's own.</summary>
    public Placement.ISipActorsPlacement? Placement { get; set; }
    public SipStack Stack => Runtime.Stack;
    public SipActorsSettings Settings => Runtime.Settings;
    public SipActorsOptions Options { get; }
    public SipActorsInstruments Instruments { get; }
    public ILogger Logger { get; }

    /// <summary>The parameters of every account added through configuration or <see cref="ISipAccounts"/>, so a later Connect can reuse them.</summary>
    public ConcurrentDictionary<AccountId, ConnectionParameters> Parameters { get; } = new();

    /// <summary>Registers <paramref name="hosted"/> as its system's extension (done once, by WithSipActors).</summary>
    public static void Register(HostedSipActors hosted) => hosted.System.RegisterExtension(new Id(hosted));

    /// <summary>What WithSipActors started in <paramref name="system"/>, or null when it did not start there.</summary>
    public static HostedSipActors? Find(ActorSystem system)
        => system.TryGetExtension<HostedSipActors>(out var hosted) ? hosted : null;

    private sealed class Id(HostedSipActors hosted) : ExtensionIdProvider<HostedSipActors>
    {
        public override HostedSipActors CreateExtension(ExtendedActorSystem system) => hosted;
    }
}
