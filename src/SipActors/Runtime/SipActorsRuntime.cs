using Akka.Actor;
using Akka.Configuration;
using SipActors.Configuration;
using SipActors.Connections;
using SipActors.Sip.Transports;
using SipActors.Sip.UserAgents;

namespace SipActors.Runtime;

/// <summary>
/// The one place a SipActors process is put together from <see cref="SipActorsSettings"/>: the
/// <see cref="SipStack"/> (every stack option of the <c>sip-actors</c> section is read in
/// <see cref="CreateStack"/> and nowhere else), the <see cref="ConnectionSupervisor"/> in an actor
/// system given to it or made by it, and their disposal in order. The <c>sipactors</c> commands
/// and the hosting extension all build theirs here.
/// </summary>
/// <remarks>
/// Disposal goes accounts first, stack last: the accounts un-register (unless
/// <see cref="DisconnectAllAsync"/> already did, or <see cref="CloseStackAsync"/> asked for the
/// bindings to stay), the actors stop, and only then the stack's sockets and timer wheel go. An
/// account's PostStop may still send an un-REGISTER, which needs the stack.
/// </remarks>
public sealed class SipActorsRuntime : IAsyncDisposable
{
    /// <summary>The supervisor's name under <c>/user</c> unless the caller picks another.</summary>
    public const string DefaultSupervisorName = "accounts";

    /// <summary>
    /// How long a DisconnectAll may take before it is given up: the supervisor waits up to 40 s
    /// for each account's answer, and this leaves room for its reply.
    /// </summary>
    public static readonly TimeSpan DefaultDisconnectTimeout = TimeSpan.FromSeconds(90);

    /// <summary>How long the supervisor of a system we do not own is given to stop.</summary>
    private static readonly TimeSpan SupervisorStopTimeout = TimeSpan.FromSeconds(30);

    private readonly bool _ownsSystem;
    private readonly Task _supervisorStopped;
    private int _disconnectRequested;
    private int _stackClosed;
    private int _disposed;

    private SipActorsRuntime(ActorSystem system, bool ownsSystem, SipStack stack, IActorRef supervisor, SipActorsSettings settings)
    {
        System = system;
        _ownsSystem = ownsSystem;
        Stack = stack;
        Supervisor = supervisor;
        Settings = settings;
        // Completed once the supervisor stopped, however that happened: a dead supervisor is neither asked nor stopped again.
        _supervisorStopped = supervisor.WatchAsync();
    }

    /// <summary>The actor system the supervisor runs in (made by <see cref="Start(SipActorsSettings, string, Config?, string)"/>, or the caller's).</summary>
    public ActorSystem System { get; }

    /// <summary>The process's SIP stack, shared by every account of the supervisor.</summary>
    public SipStack Stack { get; }

    /// <summary>The <see cref="ConnectionSupervisor"/>: send it Connect, ConnectAll, DisconnectAll and the account commands.</summary>
    public IActorRef Supervisor { get; }

    /// <summary>The settings the stack and the supervisor were built from.</summary>
    public SipActorsSettings Settings { get; }

    /// <summary>
    /// A stack with every stack option of <paramref name="settings"/>: SIP timers, UDP socket
    /// options and the UDP server check. A new stack option is read here, so that every host of
    /// SipActors gets it.
    /// </summary>
    public static SipStack CreateStack(SipActorsSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new SipStack(settings.Timers, new UdpTransportOptions
        {
            ReceiveBufferSize = settings.UdpReceiveBufferSize,
            ReceiveThreads = settings.UdpReceiveThreads,
        }, settings.Tls)
        {
            UdpServerCheck = settings.UdpServerCheck,
            KeepAlive = settings.KeepAlive,
            LocalEndPoint = settings.LocalEndPoint,
        };
    }

    /// <summary>
    /// Makes an actor system named <paramref name="systemName"/> from <paramref name="akkaConfig"/>
    /// (with SipActors' defaults as its fallback), a stack and the supervisor; disposing the
    /// runtime terminates that system.
    /// </summary>
    public static SipActorsRuntime Start(SipActorsSettings settings, string systemName = "sipactors", Config? akkaConfig = null, string supervisorName = DefaultSupervisorName)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var config = akkaConfig is null ? SipActorsSettings.DefaultConfig : akkaConfig.WithFallback(SipActorsSettings.DefaultConfig);
        var system = ActorSystem.Create(systemName, config);
        try
        {
            return Build(system, ownsSystem: true, settings, supervisorName);
        }
        catch
        {
            _ = system.Terminate();
            throw;
        }
    }

    /// <summary>
    /// A stack and the supervisor in the caller's <paramref name="system"/>, which the runtime
    /// does not terminate: disposing it stops the supervisor (if the system still runs) and then
    /// the stack.
    /// </summary>
    public static SipActorsRuntime Start(ActorSystem system, SipActorsSettings settings, string supervisorName = DefaultSupervisorName)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(settings);
        return Build(system, ownsSystem: false, settings, supervisorName);
    }

    private static SipActorsRuntime Build(ActorSystem system, bool ownsSystem, SipActorsSettings settings, string supervisorName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(supervisorName);
        var stack = CreateStack(settings);
        try
        {
            var supervisor = system.ActorOf(ConnectionSupervisor.Props(stack, settings.Supervisor), supervisorName);
            return new SipActorsRuntime(system, ownsSystem, stack, supervisor, settings);
        }
        catch
        {
            _ = stack.DisposeAsync().AsTask();
            throw;
        }
    }

    /// <summary>
    /// Disconnects every account (un-REGISTER for those registered), a bounded number at a time;
    /// answered once each account answered. Throws <see cref="AskTimeoutException"/> after
    /// <paramref name="timeout"/> (<see cref="DefaultDisconnectTimeout"/> when null). After this,
    /// disposing the runtime does not ask again.
    /// </summary>
    public Task<CommandResult> DisconnectAllAsync(TimeSpan? timeout = null)
    {
        Interlocked.Exchange(ref _disconnectRequested, 1);
        return Supervisor.Ask<CommandResult>(DisconnectAll.Instance, timeout ?? DefaultDisconnectTimeout);
    }

    /// <summary>
    /// Closes the stack's sockets and timers now, before the actors stop: no account can send an
    /// un-REGISTER on its way out, so the bindings stay at the server until they expire
    /// (<c>sipactors load --no-unregister</c>). Disposing the runtime later stops the actors.
    /// </summary>
    public async ValueTask CloseStackAsync()
    {
        if (Interlocked.Exchange(ref _stackClosed, 1) == 0)
        {
            await Stack.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Un-registers the accounts unless that was asked already or the stack is closed, stops the
    /// actors (terminates the system the runtime made, or stops the supervisor in the caller's
    /// system), then disposes the stack.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        var supervisorAlive = !_supervisorStopped.IsCompleted && !System.WhenTerminated.IsCompleted;
        if (supervisorAlive && Volatile.Read(ref _disconnectRequested) == 0 && Volatile.Read(ref _stackClosed) == 0)
        {
            try
            {
                await DisconnectAllAsync().ConfigureAwait(false);
            }
            catch (AskTimeoutException)
            {
                // The bindings of accounts that did not answer expire at the server; stopping goes on.
            }
        }
        if (_ownsSystem)
        {
            await System.Terminate().ConfigureAwait(false);
        }
        else if (supervisorAlive)
        {
            try
            {
                await Supervisor.GracefulStop(SupervisorStopTimeout).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TaskCanceledException or AskTimeoutException)
            {
                // Not stopped in time: the stack goes anyway, and the system ends the rest.
            }
        }
        await CloseStackAsync().ConfigureAwait(false);
    }
}
