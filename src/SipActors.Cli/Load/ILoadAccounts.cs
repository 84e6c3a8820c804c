using Akka.Actor;
using SipActors.Connections;

namespace SipActors.Cli.Load;

/// <summary>
/// Where the accounts of a <c>sipactors load</c> run live: this process (<see cref="LocalLoadAccounts"/>,
/// one ConnectionSupervisor) or the nodes of a cluster (<c>load --cluster</c>). The run drives either
/// the same way: hand the Connects over, watch their events, disconnect them, report.
/// </summary>
internal interface ILoadAccounts : IAsyncDisposable
{
    /// <summary>The actor system the run's own actors (its statistics) live in.</summary>
    ActorSystem System { get; }

    /// <summary>Sends every account event of the run to <paramref name="statistics"/>; done once events flow.</summary>
    Task SubscribeAsync(IActorRef statistics, IReadOnlyDictionary<string, int> index);

    /// <summary>Hands the Connects over (all at once, at <c>--rate</c>, or at the pace of the rate stages) until done or <paramref name="stopFeeding"/>.</summary>
    Task<CommandResult> HandOverAsync(IReadOnlyList<Connect> connects, LoadOptions options, CancellationToken stopFeeding);

    /// <summary>Disconnects every account (un-REGISTER for those registered); throws <see cref="AskTimeoutException"/> after <paramref name="timeout"/>.</summary>
    Task<CommandResult> DisconnectAllAsync(TimeSpan timeout);

    /// <summary><c>--no-unregister</c>: the run ends with the accounts' bindings left at the server.</summary>
    Task KeepRegisteredAsync();

    /// <summary>What no event says, summed over wherever the accounts run, since the run started.</summary>
    LoadCounters Counters { get; }

    /// <summary>The figures of a <c>--stats</c> row now (the latency histogram: since the last call).</summary>
    StatsSample SampleStats();

    /// <summary>Adds what only this kind of run knows to its report (a cluster's nodes).</summary>
    Task<LoadReport> CompleteAsync(LoadReport report);
}

/// <summary>Refreshes (which publish no event) and the SIP stack's retransmissions and timeouts.</summary>
internal readonly record struct LoadCounters(long Refreshes, long RefreshFailures, long Retransmissions, long TransactionTimeouts);
