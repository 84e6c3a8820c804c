using Akka.Actor;
using Akka.Configuration;
using SipActors.Configuration;
using SipActors.Connections;
using SipActors.Events;
using SipActors.Runtime;
using SipActors.Sip.Transports;

namespace SipActors.Cli.Load;

/// <summary>
/// A load run's accounts in this process: one <see cref="SipActorsRuntime"/> (a ConnectionSupervisor
/// and its SIP stack), events from the local event stream, counters from the stack and the
/// <c>SipActors</c> meter.
/// </summary>
internal sealed class LocalLoadAccounts : ILoadAccounts
{
    private readonly SipActorsRuntime _runtime;
    private readonly Telemetry.MetricsExport? _export;

    private readonly ErrorTraceWriter? _trace;
    private readonly global::System.Diagnostics.Process _process = global::System.Diagnostics.Process.GetCurrentProcess();

    private LocalLoadAccounts(SipActorsRuntime runtime, Telemetry.MetricsExport? export, SipServerTarget target, string? traceErrorsPath)
    {
        _runtime = runtime;
        _export = export;
        Meters = new LoadMeters();
        Stack = new StackCounters(runtime.Stack, target);
        if (traceErrorsPath is not null)
        {
            _trace = ErrorTraceWriter.Start(traceErrorsPath);
            runtime.Stack.Transactions.Trace = _trace;
        }
    }

    public ActorSystem System => _runtime.System;

    public LoadMeters Meters { get; }

    public StackCounters Stack { get; }

    public LoadCounters Counters => new(Meters.Refreshes, Meters.RefreshFailures, Stack.Retransmissions, Stack.TransactionTimeouts);

    public StatsSample SampleStats()
    {
        _process.Refresh();
        return new StatsSample(Meters.Refreshes, Meters.RefreshFailures, Meters.RegisterExchanges, Stack.DatagramsSent, Stack.DatagramsReceived,
            Meters.RegistersSentByKind(), Meters.Traffic.ResponsesTo("REGISTER"), Stack.Retransmissions, Stack.TransactionTimeouts, Stack.TransactionsOpen,
            Meters.TakeInterval(), _process.TotalProcessorTime, _process.WorkingSet64);
    }

    public static LocalLoadAccounts Start(SipActorsSettings settings, Config akkaConfig, LoadOptions options, SipServerTarget target)
    {
        var runtime = SipActorsRuntime.Start(settings, "sipactors-load", akkaConfig);
        try
        {
            return new LocalLoadAccounts(runtime, options.StartMetrics?.Invoke(runtime.Stack), target, options.TraceErrorsPath);
        }
        catch
        {
            _ = runtime.DisposeAsync().AsTask();
            throw;
        }
    }

    public Task SubscribeAsync(IActorRef statistics, IReadOnlyDictionary<string, int> index)
    {
        // Subscribed from here, not in the actor's PreStart: that runs later, and the first events could pass it by.
        ConnectionTopics.Subscribe(_runtime.System.EventStream, statistics, ConnectionTopics.All);
        return Task.CompletedTask;
    }

    public Task<CommandResult> HandOverAsync(IReadOnlyList<Connect> connects, LoadOptions options, CancellationToken stopFeeding)
        => options.RateStages is { } stages
            ? FeedAsync(_runtime.Supervisor, connects, stages, stopFeeding)
            : _runtime.Supervisor.Ask<CommandResult>(new ConnectAll(connects), TimeSpan.FromMinutes(5));

    public Task<CommandResult> DisconnectAllAsync(TimeSpan timeout) => _runtime.DisconnectAllAsync(timeout);

    // Closing the sockets first: actors stopping with the system would otherwise send
    // their un-REGISTER on the way out (ConnectionActor.PostStop).
    public Task KeepRegisteredAsync() => _runtime.CloseStackAsync().AsTask();

    /// <summary>The stack's REGISTERs by kind and responses by status, and the failed transactions <c>--trace-errors</c> counted.</summary>
    public Task<LoadReport> CompleteAsync(LoadReport report) => Task.FromResult(report with
    {
        RegistersSent = Meters.RegistersSentByKind(),
        ResponsesByStatus = Meters.ResponsesByStatus(),
        FailedTransactions = _trace?.Failures,
    });

    /// <summary>
    /// Hands the accounts to the supervisor at the pace of the rate stages: every 20 ms, those the
    /// profile has started by then, in one ConnectAll. The supervisor's own rate limit is off for
    /// such a run; its in-flight bound (--concurrency) still holds.
    /// </summary>
    private static async Task<CommandResult> FeedAsync(IActorRef supervisor, IReadOnlyList<Connect> connects, RateProfile stages, CancellationToken stop)
    {
        var sent = 0;
        var clock = global::System.Diagnostics.Stopwatch.StartNew();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        try
        {
            while (sent < connects.Count && !stop.IsCancellationRequested)
            {
                var due = (int)Math.Min(connects.Count, Math.Floor(stages.StartedBy(clock.Elapsed)));
                if (due > sent)
                {
                    supervisor.Tell(new ConnectAll([.. connects.Skip(sent).Take(due - sent)]));
                    sent = due;
                }
                await timer.WaitForNextTickAsync(stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        return new CommandResult(new AccountId("*"), CommandStatus.Ok);
    }

    public async ValueTask DisposeAsync()
    {
        // The exporter before the runtime: the last OTLP push still sees the stack's figures.
        _export?.Dispose();
        Stack.Dispose();
        Meters.Dispose();
        _process.Dispose();
        await _runtime.DisposeAsync().ConfigureAwait(false);
        if (_trace is not null)
        {
            await _trace.DisposeAsync().ConfigureAwait(false); // after the stack: the teardown's failures are traced too
        }
    }
}
