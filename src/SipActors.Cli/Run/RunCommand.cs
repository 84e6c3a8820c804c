using System.CommandLine;
using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using SipActors.Connections;
using SipActors.Events;
using SipActors.Cli.Telemetry;
using SipActors.Runtime;

namespace SipActors.Cli.Run;

/// <summary>
/// <c>sipactors run --config FILE</c>: starts the accounts of <c>sip-actors.accounts</c>, prints
/// every event (<c>connection:*</c>, and <c>session:*</c> for the calls the accounts receive under
/// their <c>incoming-calls</c> policy) until Ctrl+C / SIGTERM, then disconnects every account
/// (printing those events too).
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo>("--config") { Description = "HOCON file with sip-actors.accounts (merged over SipActors' config.hocon defaults; the file wins).", Required = true, HelpName = "FILE.hocon" };
        var json = new Option<bool>("--json") { Description = "One JSON object per event and line instead of 'time topic account summary'." };
        var exitOnFailure = new Option<bool>("--exit-on-failure") { Description = "Stop with exit code 1 as soon as an account's connect failed (the others are disconnected first)." };
        var metrics = MetricsExport.Options.Create();
        var cluster = Cluster.ClusterOptions.Create(required: false);
        var minNodes = new Option<int>("--min-nodes") { Description = "With --cluster: nodes that must host account slices before any account is placed.", DefaultValueFactory = _ => 1, HelpName = "N" }.WholeNumber();
        var command = new Command("run", "Connect the accounts of a configuration file and print their connection:* and session:* events until Ctrl+C.") { config, json, exitOnFailure, minNodes };
        foreach (var option in metrics.All)
        {
            command.Options.Add(option);
        }
        cluster.AddTo(command);
        command.Validators.Add(r => Cluster.RunOnCluster.Validate(r, cluster, minNodes, metrics.All));
        command.SetAction((result, cancellationToken) => cluster.IsGiven(result)
            ? Cluster.RunOnCluster.RunAsync(result.GetValue(config)!.FullName, cluster, result, result.GetValue(minNodes), result.GetValue(json), result.GetValue(exitOnFailure), cancellationToken)
            : RunAsync(
            result.GetValue(config)!.FullName,
            result.GetValue(json),
            result.GetValue(exitOnFailure),
            stack => metrics.Start(result, stack),
            result.InvocationConfiguration.Output,
            result.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string path, bool json, bool exitOnFailure, Func<SipActors.Sip.UserAgents.SipStack, MetricsExport?> startMetrics,
        TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var run = RunConfiguration.Load(path);
        var settings = run.Settings;
        // The file wins; then quiet Akka logging on standard error (standard output is for events); then the defaults.
        var akkaConfig = run.Config.WithFallback(ConfigurationFactory.ParseString("akka.loglevel = WARNING\n" + StandardErrorLogger.Config));
        await using var runtime = SipActorsRuntime.Start(settings, "sipactors-run", akkaConfig);
        using var export = startMetrics(runtime.Stack);
        var failure = exitOnFailure ? new TaskCompletionSource<ConnectFailed>(TaskCreationOptions.RunContinuationsAsynchronously) : null;
        var printer = runtime.System.ActorOf(EventPrinterActor.Props(output, json, failure), "event-printer");
        ConnectionTopics.Subscribe(runtime.System.EventStream, printer, ConnectionTopics.Everything);
        await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"sipactors run: {Plural.Of(settings.Accounts.Count, "account")} from {path}; Ctrl+C to disconnect them and stop")).ConfigureAwait(false);
        await runtime.Supervisor.Ask<CommandResult>(new ConnectAll(settings.Accounts), TimeSpan.FromMinutes(1)).ConfigureAwait(false);

        var stopped = Task.Delay(Timeout.Infinite, cancellationToken);
        await Task.WhenAny(stopped, failure?.Task ?? stopped).ConfigureAwait(false);
        var failed = failure is { Task.IsCompletedSuccessfully: true } ? await failure.Task.ConfigureAwait(false) : null;
        await error.WriteLineAsync(failed is null
            ? "sipactors run: stopping, disconnecting every account"
            : $"sipactors run: {failed.Account}'s connect failed ({failed.Cause ?? failed.Error}); disconnecting every account").ConfigureAwait(false);
        try
        {
            await runtime.DisconnectAllAsync().ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"sipactors run: the accounts did not all disconnect within {SipActorsRuntime.DefaultDisconnectTimeout.TotalSeconds:0} s")).ConfigureAwait(false);
        }
        // The disconnect events were published before the supervisor answered: they are queued ahead of this.
        await printer.Ask<EventPrinterActor.Flushed>(EventPrinterActor.Flush.Instance, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        return failed is null ? ExitCodes.Success : ExitCodes.Failure;
    }
}
