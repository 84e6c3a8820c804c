using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using SipActors.Configuration;
using SipActors.Connections;
using SipActors.Events;
using SipActors.Runtime;
using SipActors.Sip.Registrar;

namespace SipActors.Hosting.Tests.Runtime;

/// <summary>The one composition root: stack options from settings, and disposal accounts first, stack last.</summary>
public sealed class SipActorsRuntimeSpecs
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static Connect Account(EmbeddedRegistrar registrar, string user) => new(user, new ConnectionParameters
    {
        SipServerIp = registrar.Domain,
        SipServerUrl = $"udp://{registrar.UdpEndPoint}",
        Register = true,
        User = user,
        Password = "pw-" + user,
    });

    /// <summary>
    /// Every event of type <typeparamref name="T"/> published in <paramref name="system"/> from now
    /// on, kept as it is published: an actor's mailbox would be dropped with a terminating system.
    /// </summary>
    private static ConcurrentQueue<T> Subscribe<T>(ActorSystem system)
        where T : ConnectionEvent
    {
        var events = new ConcurrentQueue<T>();
        system.EventStream.Subscribe(new Collector<T>((ExtendedActorSystem)system, events), typeof(T));
        return events;
    }

    private sealed class Collector<T>(ExtendedActorSystem system, ConcurrentQueue<T> events) : MinimalActorRef
    {
        public override ActorPath Path { get; } = system.Provider.TempPath();

        public override IActorRefProvider Provider => system.Provider;

        protected override void TellInternal(object message, IActorRef sender)
        {
            if (message is T e)
            {
                events.Enqueue(e);
            }
        }
    }

    [Fact]
    public async Task Should_build_the_stack_with_every_stack_option_of_the_settings()
    {
        // Arrange
        var settings = SipActorsSettings.Create(ConfigurationFactory.ParseString("""
            sip-actors.transport.udp.server-check-interval = 7s
            sip-actors.transport.udp.server-check-timeout = 3s
            sip-actors.transport.udp.server-check-failures = 4
            """));

        // Act
        await using var stack = SipActorsRuntime.CreateStack(settings);

        // Assert
        Assert.Equal(TimeSpan.FromSeconds(7), stack.UdpServerCheck.Interval);
        Assert.Equal(TimeSpan.FromSeconds(3), stack.UdpServerCheck.Timeout);
        Assert.Equal(4, stack.UdpServerCheck.FailuresToLose);
    }

    [Fact]
    public async Task Should_unregister_the_accounts_before_closing_the_stack_when_disposed()
    {
        // Arrange
        await using var registrar = EmbeddedRegistrar.Start();
        var runtime = SipActorsRuntime.Start(SipActorsSettings.Create(), "runtime-spec");
        var unregistered = Subscribe<Unregistered>(runtime.System);
        await runtime.Supervisor.Ask<CommandResult>(Account(registrar, "alice"), Timeout);
        Assert.Single(registrar.GetBindings("alice"));

        // Act: no DisconnectAll first
        await runtime.DisposeAsync().AsTask().WaitAsync(Timeout);

        // Assert: un-registered by a Disconnect (with its event), not on the way out of a stopping actor (silent)
        Assert.Empty(registrar.GetBindings("alice"));
        Assert.Contains(unregistered, e => e.Account.Value == "alice" && e.StatusCode == 200);
        Assert.True(runtime.System.WhenTerminated.IsCompleted, "the system the runtime made is terminated");
    }

    [Fact]
    public async Task Should_leave_the_bindings_when_the_stack_is_closed_first()
    {
        // Arrange
        await using var registrar = EmbeddedRegistrar.Start();
        var runtime = SipActorsRuntime.Start(SipActorsSettings.Create(), "runtime-spec");
        await runtime.Supervisor.Ask<CommandResult>(Account(registrar, "bob"), Timeout);

        // Act
        await runtime.CloseStackAsync();
        await runtime.DisposeAsync().AsTask().WaitAsync(Timeout);

        // Assert
        Assert.Single(registrar.GetBindings("bob"));
    }

    [Fact]
    public async Task Should_stop_only_its_supervisor_in_a_system_it_was_given()
    {
        // Arrange
        await using var registrar = EmbeddedRegistrar.Start();
        using var system = ActorSystem.Create("runtime-spec", SipActorsSettings.DefaultConfig);
        var runtime = SipActorsRuntime.Start(system, SipActorsSettings.Create(), "accounts-of-spec");
        var unregistered = Subscribe<Unregistered>(system);
        await runtime.Supervisor.Ask<CommandResult>(Account(registrar, "carol"), Timeout);
        var watcher = runtime.Supervisor.WatchAsync();

        // Act
        await runtime.DisposeAsync().AsTask().WaitAsync(Timeout);

        // Assert
        Assert.Empty(registrar.GetBindings("carol"));
        Assert.Contains(unregistered, e => e.Account.Value == "carol" && e.StatusCode == 200);
        Assert.True(await watcher.WaitAsync(Timeout), "the supervisor stopped");
        Assert.False(system.WhenTerminated.IsCompleted, "the caller's system runs on");
        await system.Terminate();
    }
}
