using System.Threading.Channels;
using Akka.Actor;
using Microsoft.Extensions.Configuration;
using SipActors.Connections;
using SipActors.Events;

namespace SipActors.Hosting.Placement;

/// <summary>
/// Where the accounts of <c>WithSipActors</c> live and where <see cref="Events.ISipEvents"/> hears
/// them, when not on this process's own supervisor and event stream. SipActors.Cluster.Hosting's
/// <c>WithSipActorsCluster</c> gives one (through <see cref="SipActorsPlacementSetup"/>) that puts
/// them on the cluster's account slices; without it everything stays local, as it always was.
/// </summary>
internal interface ISipActorsPlacement
{
    /// <summary>
    /// Starts what the accounts need once the stack runs and returns the actor that takes every
    /// account command (<see cref="ISipAccounts"/> asks it) and the one that answers
    /// <see cref="GetSupervisorStatus"/> for this node (the accounts-per-state gauge).
    /// </summary>
    /// <param name="hosted">What WithSipActors started (system, stack, final options and settings).</param>
    /// <param name="configuration">The host's configuration, whose values beat those set in code.</param>
    (IActorRef Commands, IActorRef Status) Start(HostedSipActors hosted, IConfiguration? configuration);

    /// <summary>Places the configured accounts; returns at once, the connects go on (failures are logged).</summary>
    void PlaceConfigured(HostedSipActors hosted, IReadOnlyList<Connect> accounts);

    /// <summary>
    /// An actor that writes every event of <paramref name="eventType"/> (an <see cref="AccountEvent"/>
    /// type) into <paramref name="writer"/> without waiting, subscribed before this returns, and
    /// completes the writer when it stops.
    /// </summary>
    IActorRef Subscribe(ActorSystem system, Type eventType, ChannelWriter<AccountEvent> writer);

    /// <summary>One line for the shutdown log: what happens to the accounts when this host stops.</summary>
    string OnShutdown { get; }
}
