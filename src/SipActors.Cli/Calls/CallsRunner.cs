using System.Diagnostics;
using System.Globalization;
using System.Net;
using Akka.Actor;
using Akka.Configuration;
using SipActors.Calls;
using SipActors.Cli.Load;
using SipActors.Configuration;
using SipActors.Connections;
using SipActors.Events;
using SipActors.Runtime;
using SipActors.Sip;
using SipActors.Sip.Registrar;
using SipActors.Sip.Transports;

namespace SipActors.Cli.Calls;

/// <summary>
/// One <c>sipactors calls</c> run on one <see cref="SipActorsRuntime"/>: register every account
/// (callees with auto-answer), place calls through <see cref="CallsDriverActor"/> for --duration or
/// --calls, hang up what is still up, check no call is left at any account, un-register, report.
/// Ctrl+C / SIGTERM cuts the calling short and goes through the same end.
/// </summary>
internal sealed class CallsRunner
{
    private const double UnlimitedRate = 1_000_000;

    /// <summary>
    /// Receive threads on the shared UDP socket for a call load, unless --config sets them: every
    /// call brings six datagrams to the one socket, and on a machine where Kamailio and the
    /// thread pool keep the cores busy two threads were descheduled long enough for the kernel
    /// buffer to overflow (2,400 calls/s on 2 cores: 35,000 and 101,000 datagrams dropped with 2,
    /// 3,500 and 0 with 4, for about the same CPU).
    /// </summary>
    private const int CallsReceiveThreads = 4;

    private const string ReceiveThreadsPath = "sip-actors.transport.udp.receive-threads";
    private static readonly TimeSpan UnregisterTimeout = SipActorsRuntime.DefaultDisconnectTimeout;

    private readonly CallsOptions _options;
    private readonly CancellationToken _stop;
    private readonly Stopwatch _clock = new();
    private readonly List<CallsTimelinePoint> _timeline = [];
    private readonly Process _process = Process.GetCurrentProcess();
    private readonly IActorRef _driver;
    private readonly StackCounters _stack;
    private readonly int _accounts;
    private readonly List<string> _notes = [];
    private readonly StreamWriter? _stats;
    private CallsProgress? _last;
    private (TimeSpan At, long Attempted) _lastRate;
    private TimeSpan _lastStatsRow = TimeSpan.FromDays(-1);
    private TimeSpan _callingStarted;
    private TimeSpan _callingStopped;
    private long _peakWorkingSet;

    private CallsRunner(CallsOptions options, IActorRef driver, StackCounters stack, int accounts, StreamWriter? stats, CancellationToken stop)
    {
        _options = options;
        _driver = driver;
        _stack = stack;
        _accounts = accounts;
        _stats = stats;
        _stop = stop;
    }

    private bool Interrupted { get; set; }

    public static async Task<int> RunAsync(CallsOptions options, TextWriter output, TextWriter error, bool live, CancellationToken cancellationToken)
    {
        var settings = options.Settings ?? SipActorsSettings.Create();
        if (options.TlsInsecure)
        {
            await error.WriteLineAsync("WARNING: --tls-insecure: the TLS/WSS server's certificate is NOT checked. Use it only against a lab server on loopback.").ConfigureAwait(false);
        }
        await using var registrar = options.Server is null ? LoadRunner.StartRegistrar(options.EmbeddedTransport) : null;
        var given = options.Server ?? LoadRunner.EmbeddedUrl(registrar!, options.EmbeddedTransport);
        SipServerTarget.TryParse(given, out var target, out _);
        var server = target!.ToString();
        var domain = options.Domain ?? target.Host;
        var calleeCount = options.Target is null ? options.Callees ?? options.Accounts.Count / 2 : 0;
        var callerCount = options.Accounts.Count - calleeCount;
        var connects = BuildConnects(options, settings, server, domain, callerCount);

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"sipactors calls: {Plural.Of(callerCount, "caller")} calling {(options.Target is { } t ? t : Plural.Of(calleeCount, "callee") + " (auto-answer)")} through {server}{(registrar is null ? "" : " (embedded registrar)")}, domain {domain}, {options.Rate} calls/s, hold {options.Hold.TotalSeconds:0.##} s{(options.HoldJitter > TimeSpan.Zero ? $" + up to {options.HoldJitter.TotalSeconds:0.##} s" : "")}, {(options.Duration is { } d ? $"for {d.TotalSeconds:0.#} s" : "")}{(options.Duration is not null && options.MaxCalls is not null ? ", " : "")}{(options.MaxCalls is { } n ? $"at most {Plural.Of(n, "call")}" : "")}{(options.MaxConcurrent < int.MaxValue ? $", at most {options.MaxConcurrent} up at once" : "")}; SDP: minimal offer/answer, no media")).ConfigureAwait(false);

        var startedAt = DateTimeOffset.UtcNow;
        var runtimeSettings = options.RuntimeSettings(settings, options.RegisterConcurrency, UnlimitedRate) with
        {
            UdpReceiveThreads = ReceiveThreads(options.Config, settings),
        };
        var akkaConfig = ConfigurationFactory.ParseString("akka.loglevel = WARNING\n" + StandardErrorLogger.Config);
        await using var runtime = SipActorsRuntime.Start(runtimeSettings, "sipactors-calls", options.Config is { } fileConfig ? fileConfig.WithFallback(akkaConfig) : akkaConfig);
        using var stack = new StackCounters(runtime.Stack, target);
        var driver = runtime.System.ActorOf(CallsDriverActor.Props(runtime.Supervisor, options), "calls-driver");
        // Subscribed before the first Connect: no registration or call event can pass the driver by.
        ConnectionTopics.Subscribe(runtime.System.EventStream, driver, ConnectionTopics.All);
        ConnectionTopics.Subscribe(runtime.System.EventStream, driver, SessionTopics.All);
        runtime.Stack.Transactions.Trace = new CallsTransactionTrace(driver);

        StreamWriter? stats = null;
        if (options.StatsPath is { } statsPath)
        {
            stats = new StreamWriter(statsPath, append: false);
            await stats.WriteLineAsync(CallsStats.Header).ConfigureAwait(false);
        }
        var runner = new CallsRunner(options, driver, stack, connects.Count, stats, cancellationToken);
        var view = new CallsProgressView(output, live, options.Quiet);
        int left;
        try
        {
            left = await view.RunAsync(show => runner.DriveAsync(runtime, connects, callerCount, domain, server, show)).ConfigureAwait(false);
        }
        finally
        {
            if (stats is not null)
            {
                await stats.DisposeAsync().ConfigureAwait(false);
            }
        }
        var statistics = await driver.Ask<CallsStatistics>(GetCallsStatistics.Instance, TimeSpan.FromMinutes(1)).ConfigureAwait(false);
        var udp = target.Kind == SipTransportKind.Udp && IPAddress.TryParse(target.Host, out var serverAddress) ? runtime.Stack.GetUdpTransport(serverAddress) : null;
        if (udp is { ReceiveBufferCapped: true })
        {
            runner._notes.Add(ReceiveBufferNote(udp));
        }
        var report = runner.BuildReport(statistics, callerCount, calleeCount, left, startedAt) with
        {
            UdpReceiveBufferRequestedBytes = udp?.ReceiveBufferRequested,
            UdpReceiveBufferGrantedBytes = udp?.ReceiveBufferGranted,
            Settings = new CallsSettings
            {
                Server = server,
                Transport = target.Kind.UriParameter(),
                EmbeddedRegistrar = registrar is not null,
                Domain = domain,
                Target = options.Target,
                Cps = options.Rate.ToString(),
                MaxConcurrent = options.MaxConcurrent < int.MaxValue ? options.MaxConcurrent : null,
                HoldSeconds = options.Hold.TotalSeconds,
                HoldJitterSeconds = options.HoldJitter.TotalSeconds,
                DurationSeconds = options.Duration?.TotalSeconds,
                Calls = options.MaxCalls,
                LocalAddress = runtimeSettings.LocalEndPoint?.ToString(),
                Version = LoadRunner.Version,
                Machine = MachineInfo.Current(),
            },
        };
        var written = await WriteFilesAsync(report, options, error).ConfigureAwait(false);
        await CallsSummary.WriteAsync(output, report, runner._notes).ConfigureAwait(false);
        return written && CallsSummary.IsSuccess(report) ? ExitCodes.Success : ExitCodes.Failure;
    }

    /// <summary>Register, call, hang up, check, un-register; returns the calls left up at the accounts after the hang-up.</summary>
    private async Task<int> DriveAsync(SipActorsRuntime runtime, IReadOnlyList<Connect> connects, int callerCount, string domain, string server, Action<CallsFrame> show)
    {
        _clock.Start();
        runtime.Supervisor.Tell(new ConnectAll(connects));
        var sample = _options.StatsPath is null ? TimeSpan.FromSeconds(1) : TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(1).Ticks, _options.StatsInterval.Ticks));

        // Registration: until every account registered or failed, nothing moved for a while, or Ctrl+C.
        long lastEvents = -1;
        var lastChange = TimeSpan.Zero;
        while (true)
        {
            var progress = await SampleAsync("register", show).ConfigureAwait(false);
            if (progress.Registered + progress.RegistrationFailed >= connects.Count)
            {
                break;
            }
            if (progress.Events != lastEvents)
            {
                (lastEvents, lastChange) = (progress.Events, _clock.Elapsed);
            }
            else if (_clock.Elapsed - lastChange >= _options.RegisterStallTimeout)
            {
                _notes.Add($"registration stalled: {connects.Count - progress.Registered - progress.RegistrationFailed} accounts neither registered nor failed; calling with those registered");
                break;
            }
            if (await WaitAsync(TimeSpan.FromMilliseconds(200)).ConfigureAwait(false))
            {
                break;
            }
        }

        if (!Interrupted)
        {
            var callers = connects.Take(callerCount).Select(c => c.Account).ToList();
            var targets = _options.Target is { } target
                ? [new CallTarget(null, target)]
                : connects.Skip(callerCount).Select(c => new CallTarget(c.Account, CalleeUri(c.Parameters!.User!, domain, server))).ToList();
            // The driver keeps the registered ones: it heard every connection:registered.
            var started = await _driver.Ask<CallingStarted>(new StartCalling(callers, targets), TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            if (started.Callers == 0 || started.Targets == 0)
            {
                _notes.Add(started.Callers == 0 ? "no caller registered: no call placed" : "no callee registered: no call placed");
            }
            else
            {
                _callingStarted = _clock.Elapsed;
                var until = _options.Duration is { } duration ? _clock.Elapsed + duration : TimeSpan.MaxValue;
                while (_clock.Elapsed < until)
                {
                    var left = until - _clock.Elapsed;
                    if (await WaitAsync(left < sample ? left : sample).ConfigureAwait(false))
                    {
                        break;
                    }
                    var progress = await SampleAsync("calling", show).ConfigureAwait(false);
                    if (progress.AllPlaced && progress.Up == 0)
                    {
                        break; // --calls N: every call placed and ended
                    }
                }
            }
        }
        _callingStopped = _clock.Elapsed;

        // Hang up whatever is still up (BYE, CANCEL), and wait for both ends to see it end.
        _driver.Tell(StopCalling.Instance);
        var drainUntil = _clock.Elapsed + _options.DrainTimeout;
        while (true)
        {
            var progress = await SampleAsync("hang-up", show).ConfigureAwait(false);
            if (progress.Up == 0 && progress.CalleeCallsUp == 0)
            {
                break;
            }
            if (_clock.Elapsed >= drainUntil)
            {
                _notes.Add(string.Create(CultureInfo.InvariantCulture, $"{progress.Up} calls still up at the callers and {progress.CalleeCallsUp} at the callees {_options.DrainTimeout.TotalSeconds:0} s after the hang-up"));
                break;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
        }
        var leftUp = await CallsLeftUpAsync(runtime.Supervisor, connects).ConfigureAwait(false);

        var disconnect = runtime.DisconnectAllAsync(UnregisterTimeout);
        while (!disconnect.IsCompleted)
        {
            await Task.WhenAny(disconnect, Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false);
            await SampleAsync("unregister", show).ConfigureAwait(false);
        }
        try
        {
            var result = await disconnect.ConfigureAwait(false);
            if (!result.IsSuccess)
            {
                _notes.Add($"un-registration: {result.Error ?? "some accounts did not answer their Disconnect"}");
            }
        }
        catch (AskTimeoutException)
        {
            _notes.Add(string.Create(CultureInfo.InvariantCulture, $"un-registration did not finish within {UnregisterTimeout.TotalSeconds:0} s"));
        }
        // The last Unregistered events may trail the Disconnect answers by a moment.
        var settleUntil = _clock.Elapsed + TimeSpan.FromSeconds(2);
        while ((await SampleAsync("done", show).ConfigureAwait(false)).Unregistered < _last!.Registered && _clock.Elapsed < settleUntil)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
        }
        if (Interrupted)
        {
            _notes.Insert(0, "interrupted (Ctrl+C / SIGTERM): calling stopped, the calls up hung up and the accounts un-registered");
        }
        return leftUp;
    }

    /// <summary>The UDP receive threads of a calls run: --config's when it names them, else at least <see cref="CallsReceiveThreads"/>.</summary>
    internal static int ReceiveThreads(Config? config, SipActorsSettings settings)
        => config?.HasPath(ReceiveThreadsPath) == true ? settings.UdpReceiveThreads : Math.Max(settings.UdpReceiveThreads, CallsReceiveThreads);

    /// <summary>
    /// Why a capped receive buffer matters and how to lift it: the socket all accounts share takes
    /// every answer and every in-dialog request, and what overflows it is retransmitted later.
    /// </summary>
    internal static string ReceiveBufferNote(UdpTransport udp)
    {
        var kept = OperatingSystem.IsLinux() ? udp.ReceiveBufferGranted / 2 : udp.ReceiveBufferGranted;
        var limit = OperatingSystem.IsLinux() && File.Exists("/proc/sys/net/core/rmem_max") ? File.ReadAllText("/proc/sys/net/core/rmem_max").Trim() : null;
        return string.Create(CultureInfo.InvariantCulture,
            $"the UDP receive buffer got {kept / 1048576.0:0.#} MiB of the {udp.ReceiveBufferRequested / 1048576.0:0.#} MiB asked{(limit is null ? "" : $" (net.core.rmem_max = {limit})")}: datagrams a burst overflows it with are dropped and retransmitted; raise the limit (sysctl -w net.core.rmem_max={2L * udp.ReceiveBufferRequested}) for high call rates");
    }

    /// <summary>
    /// The Request-URI a callee is called at: its address of record, sip:user@domain, with the
    /// server's port when the domain is the server's host on a port other than 5060. A proxy such
    /// as Kamailio takes a URI for itself only when host and port are one of its listeners; without
    /// the port it would relay the INVITE to domain:5060, where nobody listens.
    /// </summary>
    internal static string CalleeUri(string user, string domain, string server)
    {
        SipServerTarget.TryParse(server, out var target, out _);
        return target is not null && string.Equals(target.Host, domain, StringComparison.OrdinalIgnoreCase) && target.Port != 5060
            ? string.Create(CultureInfo.InvariantCulture, $"sip:{user}@{domain}:{target.Port}")
            : $"sip:{user}@{domain}";
    }

    /// <summary>Calls any account (caller or callee) still has after the hang-up: GetCalls of each, a hundred at a time.</summary>
    private static async Task<int> CallsLeftUpAsync(IActorRef supervisor, IReadOnlyList<Connect> connects)
    {
        var left = 0;
        foreach (var chunk in connects.Chunk(100))
        {
            var answers = await Task.WhenAll(chunk.Select(async c =>
            {
                try
                {
                    // An account that failed answers with a CommandResult instead: it has no call.
                    return await supervisor.Ask<object>(new GetCalls(c.Account), TimeSpan.FromSeconds(30)).ConfigureAwait(false) is CallsResult calls ? calls.Calls.Count : 0;
                }
                catch (AskTimeoutException)
                {
                    return 0;
                }
            })).ConfigureAwait(false);
            left += answers.Sum();
        }
        return left;
    }

    private async Task<bool> WaitAsync(TimeSpan duration)
    {
        var delay = Task.Delay(duration, _stop);
        await Task.WhenAny(delay).ConfigureAwait(false);
        if (_stop.IsCancellationRequested)
        {
            Interrupted = true;
        }
        return Interrupted;
    }

    private async Task<CallsProgress> SampleAsync(string phase, Action<CallsFrame> show)
    {
        CallsProgress progress;
        try
        {
            progress = await _driver.Ask<CallsProgress>(GetCallsProgress.Instance, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (AskTimeoutException) when (_last is not null)
        {
            progress = _last;
        }
        _last = progress;
        var now = _clock.Elapsed;
        var seconds = (now - _lastRate.At).TotalSeconds;
        var rate = seconds > 0.05 ? (progress.Attempted - _lastRate.Attempted) / seconds : 0;
        if (seconds > 0.05)
        {
            _lastRate = (now, progress.Attempted);
        }
        _process.Refresh();
        _peakWorkingSet = Math.Max(_peakWorkingSet, _process.WorkingSet64);
        var point = new CallsTimelinePoint(Math.Round(now.TotalSeconds, 3), progress.Attempted, progress.Answered, progress.Failed, progress.Up);
        if (_timeline.Count == 0 || _timeline[^1] with { Second = point.Second } != point || point.Second - _timeline[^1].Second >= 1)
        {
            _timeline.Add(point);
        }
        var frame = new CallsFrame(phase, now, _accounts, progress, rate, _stack.Retransmissions, _stack.TransactionTimeouts);
        if (_stats is not null && now - _lastStatsRow >= _options.StatsInterval * 0.9)
        {
            _lastStatsRow = now;
            await _stats.WriteLineAsync(CallsStats.Row(frame)).ConfigureAwait(false);
            await _stats.FlushAsync().ConfigureAwait(false);
        }
        show(frame);
        return progress;
    }

    private CallsReport BuildReport(CallsStatistics statistics, int callers, int callees, int leftUp, DateTimeOffset startedAt)
    {
        var p = statistics.Progress;
        Array.Sort(statistics.SetupMs);
        Array.Sort(statistics.RingMs);
        Array.Sort(statistics.ByeMs);
        var calling = (_callingStopped - _callingStarted).TotalSeconds;
        _process.Refresh();
        return new CallsReport
        {
            CallsAttempted = p.Attempted,
            CallsAnswered = p.Answered,
            CallsFailed = p.Failed,
            CallsCompleted = p.Completed,
            CallsCancelledAtStop = p.CancelledAtStop,
            FailuresByCause = p.FailuresByCause,
            FailureDetails = statistics.FailureDetails,
            SetupMs = Summary(statistics.SetupMs),
            RingMs = Summary(statistics.RingMs),
            ByeMs = Summary(statistics.ByeMs),
            ConcurrentPeak = p.PeakUp,
            CallsLeftUp = leftUp,
            AnsweredPerSecond = calling > 0 ? Math.Round(p.Answered / calling, 1) : 0,
            InviteResponses = statistics.InviteResponses,
            ByeResponses = statistics.ByeResponses,
            Retransmissions = _stack.Retransmissions,
            TransactionTimeouts = _stack.TransactionTimeouts,
            Accounts = _accounts,
            Callers = callers,
            Callees = callees,
            Registered = p.Registered,
            RegistrationFailed = p.RegistrationFailed,
            RegistrationFailuresByCause = statistics.RegistrationFailuresByCause,
            Unregistered = p.Unregistered,
            CallingSeconds = Math.Round(Math.Max(0, calling), 3),
            DurationSeconds = Math.Round(_clock.Elapsed.TotalSeconds, 3),
            CpuSeconds = Math.Round(_process.TotalProcessorTime.TotalSeconds, 3),
            PeakWorkingSetBytes = Math.Max(_peakWorkingSet, _process.PeakWorkingSet64),
            Interrupted = Interrupted,
            StartedAt = startedAt,
            Settings = null!,
            Timeline = _timeline,
            SetupHistogram = LatencyStatistics.Histogram(statistics.SetupMs),
        };
    }

    private static LatencySummary Summary(double[] sorted)
    {
        var s = LatencyStatistics.Summarize(sorted);
        return new LatencySummary(Math.Round(s.P50, 3), Math.Round(s.P90, 3), Math.Round(s.P99, 3), Math.Round(s.Max, 3));
    }

    private static List<Connect> BuildConnects(CallsOptions options, SipActorsSettings settings, string server, string domain, int callerCount) =>
        // Callees answer at once with the minimal SDP; callers are never called, and would ring.
        [.. options.Accounts.Select((account, i) => options.BuildConnect(account, settings, server, domain,
            p => p with { IncomingCalls = i >= callerCount ? IncomingCallPolicy.AutoAnswer : IncomingCallPolicy.Ring }))];

    /// <summary>Writes --report and --html; false (after saying why) when a file could not be written.</summary>
    private static Task<bool> WriteFilesAsync(CallsReport report, CallsOptions options, TextWriter error)
        => OutputFiles.WriteAllAsync([(options.ReportPath, report.Serialize), (options.HtmlPath, () => CallsHtmlReport.Render(report))], error);
}
