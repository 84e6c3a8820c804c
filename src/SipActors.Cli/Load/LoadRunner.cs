using System.Diagnostics;
using System.Globalization;
using System.Net;
using Akka.Actor;
using Akka.Configuration;
using SipActors.Configuration;
using SipActors.Connections;
using SipActors.Events;
using SipActors.Runtime;
using SipActors.Sip;
using SipActors.Sip.Registrar;
using SipActors.Sip.Transports;

namespace SipActors.Cli.Load;

/// <summary>
/// One <c>sipactors load</c> run: N Connect commands to one ConnectionSupervisor, statistics from
/// the event stream (<see cref="LoadStatisticsActor"/>), refreshes from the meter, then ramp, hold,
/// un-register and report. The run itself is cheap: one Ask per second for progress, none per account.
/// </summary>
internal sealed class LoadRunner
{
    private static readonly TimeSpan UnregisterTimeout = SipActorsRuntime.DefaultDisconnectTimeout;

    /// <summary>Stands for "no rate limit": the in-flight bound (--concurrency) alone paces the ramp.</summary>
    private const double UnlimitedRate = 1_000_000;

    private readonly LoadOptions _options;
    private readonly CancellationToken _stop;
    private readonly Stopwatch _clock = new();
    private readonly List<TimelinePoint> _timeline = [];
    private readonly Process _process = Process.GetCurrentProcess();
    private readonly LoadMeters _meters;
    private StackCounters? _stack;
    private volatile string _phase = "ramp";
    private IActorRef _statistics = ActorRefs.Nobody;
    private long _peakWorkingSet;
    private int _registeredAtHoldEnd;
    private TimeSpan _lastProgressAt = TimeSpan.FromDays(-1); // "never": far enough back, and no overflow when subtracted
    private (TimeSpan At, int Registered) _lastSample;
    private LoadProgress _lastProgress = new(0, 0, 0, 0, 0, 0, 0);
    private long _lastRefreshes;

    private LoadRunner(LoadOptions options, LoadMeters meters, CancellationToken stop)
    {
        _options = options;
        _meters = meters;
        _stop = stop;
    }

    public bool Interrupted { get; private set; }

    /// <summary>Whether <c>--max-failures</c> ended the ramp.</summary>
    public bool StoppedForFailures { get; private set; }

    public static async Task<int> RunAsync(LoadOptions options, TextWriter output, TextWriter error, bool live, CancellationToken cancellationToken)
    {
        var settings = options.Settings ?? SipActorsSettings.Create();
        if (options.TlsInsecure)
        {
            await error.WriteLineAsync("WARNING: --tls-insecure: the TLS/WSS server's certificate is NOT checked. Anyone between here and the server can pose as it and read the digest exchanges. Use it only against a lab server on loopback.").ConfigureAwait(false);
        }
        await using var registrar = options.Server is null ? StartRegistrar(options.EmbeddedTransport) : null;
        var given = options.Server ?? EmbeddedUrl(registrar!, options.EmbeddedTransport);
        SipServerTarget.TryParse(given, out var target, out _);
        // What the accounts connect to, spelt out: a bare host:port means wss://host:port/webrtc/wss/ (the seed's rule), which nobody guesses.
        var server = target!.ToString();
        var domain = options.Domain ?? target.Host;
        var connects = BuildConnects(options, settings, server, domain);
        var index = new Dictionary<string, int>(connects.Count, StringComparer.Ordinal);
        for (var i = 0; i < connects.Count; i++)
        {
            index[connects[i].Account.Value] = i;
        }

        var resolved = options.Server is { } asked && !asked.Contains("://", StringComparison.Ordinal) && !asked.StartsWith("sip", StringComparison.OrdinalIgnoreCase)
            ? $" (--server {asked}: host:port without a scheme means {server})"
            : "";
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"sipactors load: {Plural.Of(connects.Count, "account")} against {server}{resolved}{(registrar is null ? "" : " (embedded registrar)")}, domain {domain}, concurrency {options.Concurrency}, rate {(options.RateStages is { } stages ? stages + " (stages)" : options.Rate is { } r ? r.ToString("0.##", CultureInfo.InvariantCulture) + "/s" : "unlimited")}, hold {options.Duration.TotalSeconds:0.#} s{(options.Unregister ? "" : ", no un-registration")}")).ConfigureAwait(false);

        var startedAt = DateTimeOffset.UtcNow;
        var runtimeSettings = settings with
        {
            Supervisor = settings.Supervisor with
            {
                MaxConcurrentConnects = options.Concurrency,
                ConnectRateLimit = options.Rate ?? UnlimitedRate,
                Account = settings.Supervisor.Account with { ConnectTimeout = options.ConnectTimeout ?? settings.Supervisor.Account.ConnectTimeout },
            },
            Tls = Tls(options),
        };
        var akkaConfig = ConfigurationFactory.ParseString("akka.loglevel = WARNING\n" + StandardErrorLogger.Config);
        await using var runtime = SipActorsRuntime.Start(runtimeSettings, "sipactors-load",
            options.Config is { } fileConfig ? fileConfig.WithFallback(akkaConfig) : akkaConfig);
        // Disposed before the runtime: the last OTLP push still sees the stack's figures.
        using var export = options.StartMetrics?.Invoke(runtime.Stack);
        using var meters = new LoadMeters();
        using var stack = new StackCounters(runtime.Stack, target);
        var runner = new LoadRunner(options, meters, cancellationToken) { _stack = stack };
        var rampDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // All the failed accounts only for --failures: a million failures would otherwise be a million records kept for nothing.
        var failuresKept = options.FailuresPath is null ? LoadReport.FailuresShown : int.MaxValue;
        runner._statistics = runtime.System.ActorOf(LoadStatisticsActor.Props(index, rampDone, failuresKept, options.MaxFailures), "load-statistics");
        // Subscribed from here, not in the actor's PreStart: that runs later, and the first events could pass it by.
        ConnectionTopics.Subscribe(runtime.System.EventStream, runner._statistics, ConnectionTopics.All);

        var view = LoadProgressView.Create(output, live, options.Quiet);
        var statsFile = options.StatsPath is { } statsPath
            ? StatsWriter.Start(statsPath, runner._statistics, meters, stack, () => runner._phase, options.StatsInterval, runner._clock)
            : null;
        List<string> notes;
        try
        {
            notes = await view.RunAsync(show => runner.DriveAsync(runtime, connects, rampDone.Task, show)).ConfigureAwait(false);
        }
        finally
        {
            if (statsFile is not null)
            {
                await statsFile.DisposeAsync().ConfigureAwait(false);
            }
        }
        var statistics = await runner._statistics.Ask<LoadStatistics>(GetLoadStatistics.Instance, TimeSpan.FromMinutes(2)).ConfigureAwait(false);
        var duration = runner._clock.Elapsed;
        if (!options.Unregister)
        {
            // Closing the sockets first: actors stopping with the system would otherwise send
            // their un-REGISTER on the way out (ConnectionActor.PostStop).
            await runtime.CloseStackAsync().ConfigureAwait(false);
        }

        var report = runner.BuildReport(statistics, connects.Count, server, domain, startedAt, duration) with
        {
            Settings = new RunSettings
            {
                Server = server,
                Transport = target.Kind.UriParameter(),
                EmbeddedRegistrar = registrar is not null,
                Accounts = connects.Count,
                Rate = options.Rate,
                RateStages = options.RateStages?.ToString(),
                Concurrency = options.Concurrency,
                Expires = options.Expires ?? settings.RegisterExpires,
                HoldSeconds = options.Duration.TotalSeconds,
                Unregister = options.Unregister,
                ConnectTimeoutSeconds = runtimeSettings.Supervisor.Account.ConnectTimeout.TotalSeconds,
                TlsCheck = options.TlsInsecure ? "none (--tls-insecure)" : options.TlsCertificatePath is { } pinned ? $"system roots, or the certificate of {pinned}" : "system roots",
                MaxFailures = options.MaxFailures,
                Version = Version,
                Machine = MachineInfo.Current(),
            },
        };
        var written = await WriteFilesAsync(report, statistics.Failures, options, error).ConfigureAwait(false);
        await LoadSummary.WriteAsync(output, report, options, notes).ConfigureAwait(false);
        return written && LoadSummary.IsSuccess(report, options) ? ExitCodes.Success : ExitCodes.Failure;
    }

    /// <summary>Ramp until every account registered or failed (or nothing moved), hold, un-register; returns remarks for the summary.</summary>
    private async Task<List<string>> DriveAsync(SipActorsRuntime runtime, IReadOnlyList<Connect> connects, Task rampDone, Action<LoadFrame> show)
    {
        var supervisor = runtime.Supervisor;
        var notes = new List<string>();
        _clock.Start();
        using var stopFeeding = new CancellationTokenSource();
        var handedOver = _options.RateStages is { } stages
            ? FeedAsync(supervisor, connects, stages, stopFeeding.Token)
            : supervisor.Ask<CommandResult>(new ConnectAll(connects), TimeSpan.FromMinutes(5));

        long lastEvents = -1;
        var lastChange = TimeSpan.Zero;
        while (true)
        {
            var progress = await SampleAsync("ramp", connects.Count, unregistering: false, show).ConfigureAwait(false);
            if (progress.Registered + progress.Failed >= connects.Count)
            {
                break;
            }
            if (progress.Failed >= _options.MaxFailures)
            {
                StoppedForFailures = true;
                notes.Add(string.Create(CultureInfo.InvariantCulture,
                    $"stopped early: {Plural.Of(progress.Failed, "account")} failed (--max-failures {_options.MaxFailures}); {connects.Count - progress.Registered - progress.Failed} not tried or still in flight"));
                break;
            }
            if (progress.Events != lastEvents)
            {
                lastEvents = progress.Events;
                lastChange = _clock.Elapsed;
            }
            else if (_clock.Elapsed - lastChange >= _options.StallTimeout)
            {
                notes.Add(string.Create(CultureInfo.InvariantCulture,
                    $"the ramp stalled: no event for {_options.StallTimeout.TotalSeconds:0} s with {connects.Count - progress.Registered - progress.Failed} accounts neither registered nor failed"));
                break;
            }
            if (await WaitAsync(TimeSpan.FromSeconds(1), rampDone).ConfigureAwait(false))
            {
                break;
            }
        }
        // Whatever ended the ramp (done, stalled, interrupted, too many failures), no more accounts start.
        await stopFeeding.CancelAsync().ConfigureAwait(false);
        try
        {
            await handedOver.ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            notes.Add("the supervisor did not confirm the hand-over of every Connect within 5 minutes");
        }

        if (!Interrupted && !StoppedForFailures && _options.Duration > TimeSpan.Zero)
        {
            var until = _clock.Elapsed + _options.Duration;
            while (_clock.Elapsed < until)
            {
                var left = until - _clock.Elapsed;
                if (await WaitAsync(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1), null).ConfigureAwait(false))
                {
                    break;
                }
                await SampleAsync("hold", connects.Count, unregistering: false, show).ConfigureAwait(false);
            }
        }

        // What the server holds before it is asked to let go: a loss not recovered shows here.
        // A sample of the last moments stands for it, rather than a second point at the same time.
        var atHoldEnd = _clock.Elapsed - _lastProgressAt < TimeSpan.FromMilliseconds(250)
            ? _lastProgress
            : await SampleAsync(Interrupted ? "stop" : "hold", connects.Count, unregistering: false, show).ConfigureAwait(false);
        _registeredAtHoldEnd = atHoldEnd.RegisteredNow;
        if (_options.Unregister)
        {
            // Cancels connects still waiting for their turn too: after Ctrl+C nothing new starts.
            var disconnect = runtime.DisconnectAllAsync(UnregisterTimeout);
            while (!disconnect.IsCompleted)
            {
                await Task.WhenAny(disconnect, Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false);
                await SampleAsync("unregister", connects.Count, unregistering: true, show).ConfigureAwait(false);
            }
            try
            {
                var result = await disconnect.ConfigureAwait(false);
                if (!result.IsSuccess)
                {
                    notes.Add($"un-registration: {result.Error ?? "some accounts did not answer their Disconnect"}");
                }
            }
            catch (AskTimeoutException)
            {
                notes.Add(string.Create(CultureInfo.InvariantCulture, $"un-registration did not finish within {UnregisterTimeout.TotalSeconds:0} s"));
            }
        }
        await SampleAsync("done", connects.Count, unregistering: _options.Unregister, show).ConfigureAwait(false);
        if (Interrupted)
        {
            notes.Insert(0, "interrupted (Ctrl+C / SIGTERM): the ramp was stopped" + (_options.Unregister ? " and the registered accounts un-registered" : ""));
        }
        return notes;
    }

    /// <summary>
    /// Hands the accounts to the supervisor at the pace of the rate stages: every 20 ms, those the
    /// profile has started by then, in one ConnectAll. The supervisor's own rate limit is off for
    /// such a run; its in-flight bound (--concurrency) still holds.
    /// </summary>
    private async Task<CommandResult> FeedAsync(IActorRef supervisor, IReadOnlyList<Connect> connects, RateProfile stages, CancellationToken stop)
    {
        var sent = 0;
        var started = _clock.Elapsed;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        try
        {
            while (sent < connects.Count && !_stop.IsCancellationRequested)
            {
                var due = (int)Math.Min(connects.Count, Math.Floor(stages.StartedBy(_clock.Elapsed - started)));
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

    /// <summary>Waits for <paramref name="duration"/> or <paramref name="other"/>; true when the run was interrupted meanwhile.</summary>
    private async Task<bool> WaitAsync(TimeSpan duration, Task? other)
    {
        var delay = Task.Delay(duration, _stop);
        // WhenAny never throws, so a cancelled delay just ends the wait.
        await Task.WhenAny(delay, other ?? delay).ConfigureAwait(false);
        if (_stop.IsCancellationRequested)
        {
            Interrupted = true;
        }
        return Interrupted;
    }

    private async Task<LoadProgress> SampleAsync(string phase, int accounts, bool unregistering, Action<LoadFrame> show)
    {
        LoadProgress progress;
        try
        {
            progress = await _statistics.Ask<LoadProgress>(GetLoadProgress.Instance, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            // A flood of events queued ahead of the question: show the last figures rather than abandon the run.
            progress = _lastProgress;
        }
        _lastProgress = progress;
        var now = _clock.Elapsed;
        _lastProgressAt = now;
        var seconds = (now - _lastSample.At).TotalSeconds;
        var rate = seconds > 0.05 ? (progress.Registered - _lastSample.Registered) / seconds : 0;
        if (seconds > 0.05)
        {
            _lastSample = (now, progress.Registered);
        }
        _process.Refresh();
        var workingSet = _process.WorkingSet64;
        _peakWorkingSet = Math.Max(_peakWorkingSet, workingSet);
        AddPoint(new TimelinePoint(Math.Round(now.TotalSeconds, 3), progress.Registered, progress.Failed, progress.InFlight,
            progress.RegisteredNow, progress.Losses, progress.Reregistrations));
        _phase = phase;
        var refreshes = _meters.Refreshes;
        var refreshRate = seconds > 0.05 ? (refreshes - _lastRefreshes) / seconds : 0;
        if (seconds > 0.05)
        {
            _lastRefreshes = refreshes;
        }
        show(new LoadFrame(phase, now, accounts, progress, rate, refreshes, _meters.RefreshFailures, workingSet, unregistering)
        {
            RefreshesPerSecond = refreshRate,
            Retransmissions = _stack?.Retransmissions ?? 0,
            TransactionTimeouts = _stack?.TransactionTimeouts ?? 0,
        });
        return progress;
    }

    /// <summary>
    /// Adds a point unless it only repeats the last one a moment later (the last sample of the
    /// un-registration, then the final one): a chart would show one moment twice.
    /// </summary>
    private void AddPoint(TimelinePoint point)
    {
        if (_timeline.Count > 0 && _timeline[^1] is var last
            && point.Second - last.Second < 0.5 && last with { Second = point.Second } == point)
        {
            return;
        }
        _timeline.Add(point);
    }

    /// <summary>The informational version of sipactors (the package version), without the source revision.</summary>
    internal static string Version { get; } = typeof(LoadRunner).Assembly
        .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
        .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0] ?? "unknown";

    private LoadReport BuildReport(LoadStatistics statistics, int accounts, string server, string domain, DateTimeOffset startedAt, TimeSpan duration)
    {
        var latencies = statistics.LatenciesMs;
        Array.Sort(latencies);
        var ramp = statistics is { FirstAttempt: { } first, LastRegistered: { } last } && last > first ? (last - first).TotalSeconds : 0;
        var latency = LatencyStatistics.Summarize(latencies);
        _process.Refresh();
        // The kernel's high-water mark (VmHWM on Linux) catches peaks between the samples.
        var peak = Math.Max(_peakWorkingSet, _process.PeakWorkingSet64);
        return new LoadReport
        {
            Accounts = accounts,
            Registered = statistics.Registered,
            RegisteredAtHoldEnd = _registeredAtHoldEnd,
            Losses = statistics.Losses,
            Reregistrations = statistics.Reregistrations,
            Failed = statistics.Failed,
            FailuresByCause = statistics.FailuresByCause,
            FailureDetails = statistics.FailureDetails,
            Failures = [.. statistics.Failures.Take(LoadReport.FailuresShown)],
            RegistrationRate = ramp > 0 ? Math.Round(statistics.Registered / ramp, 1) : 0,
            LatencyMs = new LatencySummary(Round(latency.P50), Round(latency.P90), Round(latency.P99), Round(latency.Max)),
            Refreshes = _meters.Refreshes,
            RefreshFailures = _meters.RefreshFailures,
            Retransmissions = _stack?.Retransmissions ?? 0,
            TransactionTimeouts = _stack?.TransactionTimeouts ?? 0,
            Unregistered = statistics.Unregistered,
            DurationSeconds = Math.Round(duration.TotalSeconds, 3),
            PeakWorkingSetBytes = peak,
            CpuSeconds = Math.Round(_process.TotalProcessorTime.TotalSeconds, 3),
            GcPauseSeconds = Math.Round(GC.GetTotalPauseDuration().TotalSeconds, 3),
            GcCollections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)],
            Events = statistics.Events,
            Server = server,
            Domain = domain,
            StartedAt = startedAt,
            RampSeconds = Math.Round(ramp, 3),
            Interrupted = Interrupted,
            Timeline = _timeline,
            LatencyHistogram = LatencyStatistics.Histogram(latencies),
        };
    }

    private static double Round(double value) => Math.Round(value, 3);

    private static List<Connect> BuildConnects(LoadOptions options, SipActorsSettings settings, string server, string domain)
    {
        var connects = new List<Connect>(options.Accounts.Count);
        foreach (var account in options.Accounts)
        {
            var parameters = new ConnectionParameters
            {
                SipServerIp = domain,
                SipServerUrl = server,
                DisplayName = account.DisplayName ?? options.DisplayName,
                Register = true,
                User = account.User,
                AuthUser = account.AuthUser,
                Password = account.Password,
                RegisterExpires = options.Expires ?? settings.RegisterExpires,
                ConnectionRecoveryMinInterval = settings.ConnectionRecoveryMinInterval.TotalSeconds,
                ConnectionRecoveryMaxInterval = settings.ConnectionRecoveryMaxInterval.TotalSeconds,
                ExtraHeaders = options.ExtraHeaders,
            };
            var errors = parameters.Validate();
            if (errors.Count > 0)
            {
                throw new CliUsageException($"account '{account.User}': {string.Join("; ", errors)}");
            }
            connects.Add(new Connect(account.User, parameters));
        }
        return connects;
    }

    /// <summary>The certificate checks of <c>--tls-cert</c> / <c>--tls-insecure</c>.</summary>
    private static TlsOptions Tls(LoadOptions options)
    {
        if (options.TlsInsecure)
        {
            return new TlsOptions { SkipCertificateValidation = true };
        }
        if (options.TlsCertificatePath is not { } path)
        {
            return TlsOptions.Default;
        }
        try
        {
            return new TlsOptions { TrustedCertificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(path) };
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new CliUsageException($"--tls-cert '{path}' is not a certificate (PEM or DER): {e.Message}");
        }
    }

    private static EmbeddedRegistrar StartRegistrar(string transport)
    {
        var loopback = new IPEndPoint(IPAddress.Loopback, 0);
        return EmbeddedRegistrar.Start(new EmbeddedRegistrarOptions
        {
            UdpEndPoint = loopback,
            TcpEndPoint = transport == "tcp" ? loopback : null,
            WsEndPoint = transport == "ws" ? loopback : null,
        });
    }

    private static string EmbeddedUrl(EmbeddedRegistrar registrar, string transport) => transport switch
    {
        "tcp" => $"tcp://{registrar.TcpEndPoint}",
        "ws" => $"ws://{registrar.WsEndPoint}",
        _ => $"udp://{registrar.UdpEndPoint}",
    };

    /// <summary>Writes --report, --html and --failures; false (after saying why) when a file could not be written.</summary>
    private static async Task<bool> WriteFilesAsync(LoadReport report, IReadOnlyList<FailedAccount> failures, LoadOptions options, TextWriter error)
    {
        var ok = true;
        foreach (var (path, render) in new (string?, Func<LoadReport, string>)[]
        {
            (options.ReportPath, LoadReportJson.Serialize),
            (options.HtmlPath, HtmlReport.Render),
            (options.FailuresPath, _ => FailuresCsv.Render(failures)),
        })
        {
            if (path is null)
            {
                continue;
            }
            try
            {
                await File.WriteAllTextAsync(path, render(report)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"cannot write {path}: {e.Message}").ConfigureAwait(false);
                ok = false;
            }
        }
        return ok;
    }
}
