using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Akka.Actor;
using SipActors.Cli.Load;
using SipActors.Cli.Run;
using SipActors.Events;

namespace SipActors.Cli.Cluster;

/// <summary>
/// <c>sipactors run --config FILE --cluster HOST:PORT --seed …</c>: the file's accounts placed on
/// a cluster's nodes by a coordinator that hosts none (the same one as <c>load --cluster</c>:
/// <see cref="ClusterLoadAccounts"/>), their <c>connection:*</c> events printed as a local run
/// prints them, until Ctrl+C / SIGTERM; then every account is disconnected and the coordinator leaves.
/// Standard output carries the events only: the cluster's status lines go to standard error.
/// </summary>
internal static class RunOnCluster
{
    /// <summary><c>--min-nodes</c> only with <c>--cluster</c>, within bounds; no metrics export from a coordinator (the stacks are the nodes').</summary>
    public static void Validate(CommandResult r, ClusterOptions cluster, Option<int> minNodes, IEnumerable<Option> metrics)
    {
        if (r.GetResult(cluster.Cluster) is not { Implicit: false })
        {
            if (r.GetResult(minNodes) is { Implicit: false })
            {
                r.AddError("--min-nodes needs --cluster HOST:PORT: without it the accounts run in this process");
            }
            return;
        }
        if (r.GetValue(minNodes) is < 1 or > 10_000)
        {
            r.AddError(string.Create(CultureInfo.InvariantCulture, $"--min-nodes must be 1..10000, not {r.GetValue(minNodes)}"));
        }
        foreach (var option in metrics)
        {
            if (r.GetResult(option) is { Implicit: false })
            {
                r.AddError($"{option.Name} is not available with --cluster: the SIP stacks are the nodes'; give it to each 'sipactors node'");
            }
        }
    }

    public static Task<int> RunAsync(string path, ClusterOptions cluster, ParseResult result, int minNodes, bool json, bool exitOnFailure, CancellationToken stop)
    {
        var run = RunConfiguration.Load(path);
        // A coordinator has no role: it hosts no slice.
        var options = new ClusterLoadOptions(cluster.Self(result), cluster.Seeds(result), minNodes) { Config = hocon => cluster.NodeConfig(result, [], hocon) };
        return RunAsync(path, run, options, json, exitOnFailure, result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, stop);
    }

    private static async Task<int> RunAsync(string path, RunConfiguration run, ClusterLoadOptions cluster, bool json, bool exitOnFailure,
        TextWriter output, TextWriter error, CancellationToken stop)
    {
        var connects = run.Settings.Accounts;
        await using var accounts = await ClusterLoadAccounts.StartAsync(cluster, run.Config, error, stop).ConfigureAwait(false);
        if (accounts is null)
        {
            return ExitCodes.Failure; // the nodes did not come (said why), or Ctrl+C while waiting for them
        }
        var failure = exitOnFailure ? new TaskCompletionSource<ConnectFailed>(TaskCreationOptions.RunContinuationsAsynchronously) : null;
        var printer = accounts.System.ActorOf(EventPrinterActor.Props(output, json, failure), "event-printer");
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var connect in connects)
        {
            index.TryAdd(connect.Account.Value, index.Count);
        }
        // The nodes' events reach the printer before anything is placed.
        await accounts.SubscribeAsync(printer, index).ConfigureAwait(false);
        await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"sipactors run: {Plural.Of(connects.Count, "account")} from {path} placed on the cluster; Ctrl+C to disconnect them and stop")).ConfigureAwait(false);
        var placing = new LoadOptions { Accounts = [], Concurrency = run.Settings.Supervisor.MaxConcurrentConnects };
        _ = accounts.HandOverAsync(connects, placing, stop);

        var stopped = Task.Delay(Timeout.Infinite, stop);
        try
        {
            await Task.WhenAny(stopped, failure?.Task ?? stopped, accounts.System.WhenTerminated).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        if (accounts.System.WhenTerminated.IsCompleted)
        {
            // SIGTERM: Akka's own hook stopped the coordinator; the accounts stay on the nodes.
            await error.WriteLineAsync("sipactors run: the coordinator stopped; the accounts stay on the nodes until they leave").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        var failed = failure is { Task.IsCompletedSuccessfully: true } ? await failure.Task.ConfigureAwait(false) : null;
        await error.WriteLineAsync(failed is null
            ? "sipactors run: stopping, disconnecting every account"
            : $"sipactors run: {failed.Account}'s connect failed ({failed.Cause ?? failed.Error}); disconnecting every account").ConfigureAwait(false);
        try
        {
            var result = await accounts.DisconnectAllAsync(Runtime.SipActorsRuntime.DefaultDisconnectTimeout).ConfigureAwait(false);
            if (!result.IsSuccess)
            {
                await error.WriteLineAsync($"sipactors run: {result.Error}").ConfigureAwait(false);
            }
        }
        catch (AskTimeoutException)
        {
            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"sipactors run: the accounts did not all disconnect within {Runtime.SipActorsRuntime.DefaultDisconnectTimeout.TotalSeconds:0} s")).ConfigureAwait(false);
        }
        await printer.Ask<EventPrinterActor.Flushed>(EventPrinterActor.Flush.Instance, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        return failed is null ? ExitCodes.Success : ExitCodes.Failure;
    }
}
