using System.CommandLine;
using System.Globalization;
using Akka.Actor;
using Akka.Cluster;
using SipActors.Cluster;
using SipActors.Cluster.Events;
using SipActors.Events;

namespace SipActors.Cli.Cluster;

/// <summary>
/// <c>sipactors events --cluster HOST:PORT --seed HOST:PORT [--json] [--topic T]</c>: an observer
/// node (no role: it hosts nothing) that prints every account event of the whole cluster until
/// Ctrl+C / SIGTERM, then leaves.
/// </summary>
internal static class EventsCommand
{
    private static readonly TimeSpan LeaveTimeout = TimeSpan.FromSeconds(30);

    public static Command Create()
    {
        var cluster = ClusterOptions.Create(required: true);
        var json = new Option<bool>("--json") { Description = "One JSON object per event and line (the event's fields after node and sequence) instead of 'time node topic account summary'." };
        var topic = new Option<string>("--topic") { Description = "Only this topic: connection:registered, connection:* (the 16 connection events), session:* (calls), or * (all).", DefaultValueFactory = _ => ConnectionTopics.Everything, HelpName = "T" };
        topic.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && !IsTopic(r.Tokens[^1].Value))
            {
                r.AddError($"--topic '{r.Tokens[^1].Value}' is not a topic: connection:registered, connection:*, session:ended, session:*, or *");
            }
        });
        var command = new Command("events", "Join a cluster as an observer and print every account's events from all its nodes, one line each, until Ctrl+C.") { json, topic };
        cluster.AddTo(command);
        command.SetAction((result, cancellationToken) => RunAsync(
            cluster.NodeConfig(result, [], null),
            result.GetValue(json),
            result.GetValue(topic)!,
            TextWriter.Synchronized(result.InvocationConfiguration.Output),
            TextWriter.Synchronized(result.InvocationConfiguration.Error),
            cancellationToken));
        return command;
    }

    private static bool IsTopic(string topic)
    {
        try
        {
            ConnectionTopics.TypeOf(topic);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Whether an event of <paramref name="topic"/> is one <paramref name="asked"/> covers.</summary>
    internal static bool Covers(string asked, string topic) => asked switch
    {
        ConnectionTopics.Everything => true,
        ConnectionTopics.All => topic.StartsWith("connection:", StringComparison.Ordinal),
        SessionTopics.All => topic.StartsWith("session:", StringComparison.Ordinal),
        _ => topic == asked,
    };

    /// <summary>
    /// The printer's counts, or <paramref name="last"/> once the actor system is gone: on SIGTERM
    /// Akka's own shutdown hook terminates it before this command hears of the stop.
    /// </summary>
    private static async Task<ObserverState> StateAsync(ActorSystem system, IActorRef printer, ObserverState last)
    {
        if (system.WhenTerminated.IsCompleted)
        {
            return last;
        }
        try
        {
            return await printer.Ask<ObserverState>(GetObserverState.Instance, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return last;
        }
    }

    private static async Task<int> RunAsync(Akka.Configuration.Config config, bool json, string topic, TextWriter output, TextWriter error, CancellationToken stop)
    {
        string[] topics = topic switch
        {
            ConnectionTopics.Everything => [ClusterEventTopics.Connection, ClusterEventTopics.Session],
            _ => [ClusterEventTopics.For(topic)],
        };
        var role = ClusterAccountsSettings.Create(config).Role;
        var system = ActorSystem.Create(ClusterEndpoint.SystemName, config);
        try
        {
            var akkaCluster = Akka.Cluster.Cluster.Get(system);
            var probeId = "events-" + Guid.NewGuid().ToString("N");
            var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var printer = system.ActorOf(ClusterEventPrinter.Props(output, error, json, t => Covers(topic, t), probeId, topics.Length, subscribed), "event-printer");
            foreach (var t in topics)
            {
                ClusterEvents.Subscribe(system, printer, t);
            }
            await subscribed.Task.WaitAsync(TimeSpan.FromSeconds(30), stop).ConfigureAwait(false);
            await error.WriteLineAsync($"sipactors events: observer {akkaCluster.SelfAddress} prints {topic} of every node; Ctrl+C to stop").ConfigureAwait(false);

            // Probe each hosting node until its events reach us (pub/sub registrations spread by gossip), and every node that joins later.
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
            ObserverState state = new(0, 0, []);
            try
            {
                while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false) && !system.WhenTerminated.IsCompleted)
                {
                    state = await StateAsync(system, printer, state).ConfigureAwait(false);
                    var receiving = state.Receiving.ToHashSet(StringComparer.Ordinal);
                    foreach (var member in akkaCluster.State.Members.Where(m => m.Status == MemberStatus.Up && (role.Length == 0 || m.HasRole(role))))
                    {
                        if (!receiving.Contains(member.Address.ToString()))
                        {
                            foreach (var t in topics)
                            {
                                ClusterEvents.Probe(system, member.Address, new ClusterEventProbe(probeId, t));
                            }
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            state = await StateAsync(system, printer, state).ConfigureAwait(false);
            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"sipactors events: {Plural.Of(state.Events, "event")} printed, {state.Gaps} missing by their sequence numbers; leaving the cluster")).ConfigureAwait(false);
            return ExitCodes.Success;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return ExitCodes.Success;
        }
        finally
        {
            try
            {
                await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance).WaitAsync(LeaveTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
            await system.Terminate().ConfigureAwait(false);
        }
    }
}
