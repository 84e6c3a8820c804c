using System.Collections.Concurrent;
using Akka.Actor;
using Microsoft.Extensions.Logging;
using SipActors.Configuration;
using SipActors.Connections;
using SipActors.Hosting.Diagnostics;
using SipActors.Sip.UserAgents;

namespace SipActors.Hosting;

/// <summary>
/// What <c>WithSipActors</c> started in one actor system, kept as an Akka extension so that
/// services created by the DI container before the actor system existed (<see cref="SipAccounts"/>)
/// find it: the supervisor, the stack, the final options and the known accounts' parameters.
/// </summary>
internal sealed class SipActorsRuntime : IExtension
{
    public SipActorsRuntime(ActorSystem system, IActorRef supervisor, SipStack stack, SipActorsOptions options, SipActorsSettings settings, SipActorsInstruments instruments, ILogger logger)
    {
        System = system;
        Supervisor = supervisor;
        Stack = stack;
        Options = options;
        Settings = settings;
        Instruments = instruments;
        Logger = logger;
    }

    public ActorSystem System { get; }
    public IActorRef Supervisor { get; }
    public SipStack Stack { get; }
    public SipActorsOptions Options { get; }
    public SipActorsSettings Settings { get; }
    public SipActorsInstruments Instruments { get; }
    public ILogger Logger { get; }

    /// <summary>The parameters of every account added through configuration or <see cref="ISipAccounts"/>, so a later Connect can reuse them.</summary>
    public ConcurrentDictionary<AccountId, ConnectionParameters> Parameters { get; } = new();

    /// <summary>Registers <paramref name="runtime"/> as the system's extension (done once, by WithSipActors).</summary>
    public static void Register(SipActorsRuntime runtime) => runtime.System.RegisterExtension(new Id(runtime));

    /// <summary>The runtime of <paramref name="system"/>, or null when WithSipActors did not start one there.</summary>
    public static SipActorsRuntime? Find(ActorSystem system)
        => system.TryGetExtension<SipActorsRuntime>(out var runtime) ? runtime : null;

    private sealed class Id(SipActorsRuntime runtime) : ExtensionIdProvider<SipActorsRuntime>
    {
        public override SipActorsRuntime CreateExtension(ExtendedActorSystem system) => runtime;
    }
}
