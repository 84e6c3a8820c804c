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
/// One <c>sipactors load</c> run: N Connect commands to where the accounts live (one
/// ConnectionSupervisor in this process, or a cluster's nodes: <see cref="ILoadAccounts"/>),
/// statistics from their events (<see cref="LoadStatisticsActor"/>), refreshes from the meter, then
/// ramp, hold, un-register and report. The run itself is cheap: one Ask per second for progress, none per account.
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
    private readonly ILoadAccounts _accounts;
    private volatile string _phase = "ramp";
    private IActorRef _statistics = ActorRefs.Nobody;
    private long _peakWorkingSet;
    private int _registeredAtHoldEnd;
    private TimeSpan _lastProgressAt = TimeSpan.FromDays(-1); // "never": far enough back, and no overflow when subtracted
    private (TimeSpan At, int Registered) _lastSample;
    private LoadProgress _lastProgress = new(0, 0, 0, 0, 0, 0, 0);
    private long _lastRefreshes;

    private LoadRunner(LoadOptions options, ILoadAccounts accounts, CancellationToken stop)
    {
        _options = options;
        _accounts = accounts;
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
        var runtimeSettings = options.RuntimeSettings(settings, options.Concurrency, options.Rate ?? UnlimitedRate);
        var akkaConfig = ConfigurationFactory.ParseString("akka.loglevel = WARNING\n" + StandardErrorLogger.Config);
        await using ILoadAccounts? accounts = options.Cluster is { } cluster
            ? await Cluster.ClusterLoadAccounts.StartAsync(cluster, options.Config, output, cancellationToken).ConfigureAwait(false)
            : LocalLoadAccounts.Start(runtimeSettings, options.Config is { } fileConfig ? fileConfig.WithFallback(akkaConfig) : akkaConfig, options, target);
        if (accounts is null)
        {
            return ExitCodes.Failure; // the cluster was not ready (said why), or Ctrl+C while waiting for it
        }
        var runner = new LoadRunner(options, accounts, cancellationToken);
        var rampDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // All the failed accounts only for --failures: a million failures would otherwise be a million records kept for nothing.
        var failuresKept = options.FailuresPath is null ? LoadReport.FailuresShown : int.MaxValue;
        runner._statistics = accounts.System.ActorOf(LoadStatisticsActor.Props(index, rampDone, failuresKept, options.MaxFailures), "load-statistics");
        await accounts.SubscribeAsync(runner._statistics, index).ConfigureAwait(false);

        var view = LoadProgressView.Create(output, live, options.Quiet);
        var statsFile = options.StatsPath is { } statsPath
            ? StatsWriter.Start(statsPath, runner._statistics, accounts.SampleStats, () => runner._phase, options.StatsInterval, runner._clock)
            : null;
        List<string> notes;
        try
        {
            notes = await view.RunAsync(show => runner.DriveAsync(connects, rampDone.Task, show)).ConfigureAwait(false);
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
            await accounts.KeepRegisteredAsync().ConfigureAwait(false);
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
                TlsCheck = options.TlsInsecure ? "none (--tls-insecure)"
                    : (options.TlsCaPath is { } ca ? $"the authorities of {ca}" : "system roots") + (options.TlsCertificatePath is { } pinned ? $", or the certificate of {pinned}" : ""),
                LocalAddress = runtimeSettings.LocalEndPoint?.ToString(),
                MaxFailures = options.MaxFailures,
                Version = Version,
                Machine = MachineInfo.Current(),
            },
        };
        report = await accounts.CompleteAsync(report).ConfigureAwait(false);
        var written = await WriteFilesAsync(report, statistics.Failures, options, error).ConfigureAwait(false);
        await LoadSummary.WriteAsync(output, report, options, notes).ConfigureAwait(false);
        return written && LoadSummary.IsSuccess(report, options) ? ExitCodes.Success : ExitCodes.Failure;
    }

    /// <summary>Ramp until every account registered or failed (or nothing moved), hold, un-register; returns remarks for the summary.</summary>
    private async Task<List<string>> DriveAsync(IReadOnlyList<Connect> connects, Task rampDone, Action<LoadFrame> show)
    {
        var notes = new List<string>();
        _clock.Start();
        // Ctrl+C stops the feeding at once; the end of the ramp, below.
        using var stopFeeding = CancellationTokenSource.CreateLinkedTokenSource(_stop);
        var handedOver = _accounts.HandOverAsync(connects, _options, stopFeeding.Token);

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
            var disconnect = _accounts.DisconnectAllAsync(UnregisterTimeout);
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
        var counters = _accounts.Counters;
        var refreshes = counters.Refreshes;
        var refreshRate = seconds > 0.05 ? (refreshes - _lastRefreshes) / seconds : 0;
        if (seconds > 0.05)
        {
            _lastRefreshes = refreshes;
        }
        show(new LoadFrame(phase, now, accounts, progress, rate, refreshes, counters.RefreshFailures, workingSet, unregistering)
        {
            RefreshesPerSecond = refreshRate,
            Retransmissions = counters.Retransmissions,
            TransactionTimeouts = counters.TransactionTimeouts,
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
        var counters = _accounts.Counters;
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
            Refreshes = counters.Refreshes,
            RefreshFailures = counters.RefreshFailures,
            Retransmissions = counters.Retransmissions,
            TransactionTimeouts = counters.TransactionTimeouts,
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

    private static List<Connect> BuildConnects(LoadOptions options, SipActorsSettings settings, string server, string domain) =>
        [.. options.Accounts.Select(account => options.BuildConnect(account, settings, server, domain, p => p with { ExtraHeaders = options.ExtraHeaders }))];

    /// <summary>The certificate checks of <c>--tls-cert</c> / <c>--tls-ca</c> / <c>--tls-insecure</c> (<c>load</c> and <c>node</c>).</summary>
    internal static TlsOptions Tls(bool insecure, string? certificatePath, string? authoritiesPath = null)
    {
        if (insecure)
        {
            return new TlsOptions { SkipCertificateValidation = true };
        }
        var tls = TlsOptions.Default;
        if (certificatePath is { } path)
        {
            try
            {
                tls = tls with { TrustedCertificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(path) };
            }
            catch (System.Security.Cryptography.CryptographicException e)
            {
                throw new CliUsageException($"--tls-cert '{path}' is not a certificate (PEM or DER): {e.Message}");
            }
        }
        if (authoritiesPath is { } ca)
        {
            var roots = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
            try
            {
                roots.ImportFromPemFile(ca);
            }
            catch (System.Security.Cryptography.CryptographicException e)
            {
                throw new CliUsageException($"--tls-ca '{ca}' is not a PEM file of certificates: {e.Message}");
            }
            if (roots.Count == 0)
            {
                throw new CliUsageException($"--tls-ca '{ca}' holds no certificate (PEM, -----BEGIN CERTIFICATE-----)");
            }
            tls = tls with { TrustedRoots = roots };
        }
        return tls;
    }

    /// <summary>The embedded registrar of a run without --server, on loopback, listening on UDP and the run's transport.</summary>
    internal static EmbeddedRegistrar StartRegistrar(string transport)
    {
        var loopback = new IPEndPoint(IPAddress.Loopback, 0);
        return EmbeddedRegistrar.Start(new EmbeddedRegistrarOptions
        {
            UdpEndPoint = loopback,
            TcpEndPoint = transport == "tcp" ? loopback : null,
            WsEndPoint = transport == "ws" ? loopback : null,
        });
    }

    /// <summary>The server URL of <paramref name="registrar"/> for <paramref name="transport"/>.</summary>
    internal static string EmbeddedUrl(EmbeddedRegistrar registrar, string transport) => transport switch
    {
        "tcp" => $"tcp://{registrar.TcpEndPoint}",
        "ws" => $"ws://{registrar.WsEndPoint}",
        _ => $"udp://{registrar.UdpEndPoint}",
    };

    /// <summary>Writes --report, --html and --failures; false (after saying why) when a file could not be written.</summary>
    private static Task<bool> WriteFilesAsync(LoadReport report, IReadOnlyList<FailedAccount> failures, LoadOptions options, TextWriter error)
        => OutputFiles.WriteAllAsync(
        [
            (options.ReportPath, () => LoadReportJson.Serialize(report)),
            (options.HtmlPath, () => HtmlReport.Render(report)),
            (options.FailuresPath, () => FailuresCsv.Render(failures)),
        ], error);
}
