using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using SipActors.Cli.Accounts;
using SipActors.Cli.Cluster;
using SipActors.Cli.Run;
using SipActors.Cli.Telemetry;
using static SipActors.Cli.Accounts.OptionChecks;

namespace SipActors.Cli.Load;

/// <summary><c>sipactors load</c>: register N accounts, hold them, un-register them, report.</summary>
internal static class LoadCommand
{
    public static Command Create()
    {
        var account = AccountCommandOptions.Create(
            "Target SipServerUrl: udp://, tcp://, tls://host:port, ws:// or wss:// URL, or a sip:/sips: URI. Default: an embedded registrar started on 127.0.0.1.",
            "Number of accounts to register.");
        var extraHeader = new Option<string[]>("--extra-header") { Description = "Extra 'Name: value' header on every REGISTER; repeatable.", AllowMultipleArgumentsPerToken = false, HelpName = "\"Name: value\"" };
        var rate = new Option<string>("--rate") { Description = "New registrations started per second, or stages: 100:2000/60s,2000/120s ramps from 100/s to 2000/s over 60 s, then holds 2000/s for 120 s (the last rate goes on until every account started). Default: as fast as the server answers, bounded by --concurrency.", HelpName = "R|STAGES" };
        var concurrency = new Option<int>("--concurrency") { Description = "Registrations in flight at once (sip-actors.max-concurrent-connects). More is not faster: a server that drops requests under a burst costs a 500 ms retransmission each.", DefaultValueFactory = _ => SipActors.Configuration.SipActorsSettings.Create().Supervisor.MaxConcurrentConnects, HelpName = "C" }.WholeNumber();
        var duration = new Option<double>("--duration") { Description = "Seconds to hold the accounts registered after the ramp (refreshes happen).", DefaultValueFactory = _ => 0, HelpName = "S" }.Number("a number of seconds");
        var noUnregister = new Option<bool>("--no-unregister") { Description = "Leave the accounts registered at the end (no un-REGISTER)." };
        var report = new Option<FileInfo>("--report") { Description = "Write the report as JSON to this file.", HelpName = "FILE.json" };
        var html = new Option<FileInfo>("--html") { Description = "Write the report as HTML (charts) to this file.", HelpName = "FILE.html" };
        var stats = new Option<FileInfo>("--stats") { Description = "Write one CSV row per --stats-interval: accounts by state, rates, refreshes, requests sent, retransmissions, timeouts, latency p50/p90/p99, failures by cause, CPU, memory.", HelpName = "FILE.csv" };
        var statsInterval = new Option<double>("--stats-interval") { Description = "Seconds between two --stats rows.", DefaultValueFactory = _ => 1, HelpName = "S" }.Number("a number of seconds");
        var failures = new Option<FileInfo>("--failures") { Description = "Write every failed account as CSV (id,cause,status,detail) to this file; the report lists the first 20.", HelpName = "FILE.csv" };
        var traceErrors = new Option<FileInfo>("--trace-errors") { Description = "Write the SIP messages of every failed transaction (a final response of 300 or more other than the expected first challenge, or none: a timeout, a transport error) to this file, credentials redacted; the first 10,000.", HelpName = "FILE" };
        var maxFailures = new Option<int?>("--max-failures") { Description = "Stop the ramp once this many accounts failed (those registered are then un-registered).", HelpName = "N" }.WholeNumber();
        var metrics = MetricsExport.Options.Create();
        var quiet = new Option<bool>("--quiet") { Description = "No progress while running, only the summary." };
        var plain = new Option<bool>("--plain") { Description = "Plain progress lines even on a terminal." };
        var cluster = ClusterOptions.Create(required: false);
        var minNodes = new Option<int>("--min-nodes") { Description = "With --cluster: nodes that must host account slices before any account is placed.", DefaultValueFactory = _ => 1, HelpName = "N" }.WholeNumber();
        minNodes.Validators.Add(r => Range<int>(r, "--min-nodes", 1, 10_000));
        concurrency.Validators.Add(r => Range<int>(r, "--concurrency", 1, 1_000_000));
        maxFailures.Validators.Add(r => Range<int?>(r, "--max-failures", 1, int.MaxValue));
        rate.Validators.Add(r =>
        {
            if (!TryValue<string>(r, out var text) || text is null || RateProfile.TryParse(text, out _, out var error))
            {
                return;
            }
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                r.AddError($"--rate must be a positive number of registrations per second, not {number.ToString(CultureInfo.InvariantCulture)}");
            }
            else if (text.AsSpan().IndexOfAny(":/,") < 0)
            {
                r.AddError($"--rate '{text}' is not a number of registrations per second, nor stages such as 100:2000/60s,2000/120s");
            }
            else
            {
                r.AddError($"--rate '{text}': {error}");
            }
        });
        duration.Validators.Add(r => Seconds(r, "--duration", 0, 31_536_000));
        extraHeader.Validators.Add(r =>
        {
            TryValue<string[]>(r, out var headers);
            foreach (var header in headers ?? [])
            {
                if (!IsHeaderLine(header))
                {
                    r.AddError($"--extra-header '{header}' is not 'Name: value' (a header name without spaces, a colon, a value on one line)");
                }
            }
        });
        report.Validators.Add(r => WritableFile(r, "--report"));
        html.Validators.Add(r => WritableFile(r, "--html"));
        failures.Validators.Add(r => WritableFile(r, "--failures"));
        stats.Validators.Add(r => WritableFile(r, "--stats"));
        traceErrors.Validators.Add(r => WritableFile(r, "--trace-errors"));
        statsInterval.Validators.Add(r => Seconds(r, "--stats-interval", 0.1, 3600));

        var command = new Command("load", "Register N accounts (one actor each), hold them registered, un-register them, and report rates, latencies and failures.");
        account.AddTo(command);
        foreach (var option in new Option[] { extraHeader, rate, concurrency, duration, noUnregister, maxFailures, report, html, failures, stats, statsInterval, traceErrors, quiet, plain, minNodes })
        {
            command.Options.Add(option);
        }
        cluster.AddTo(command);
        foreach (var option in metrics.All)
        {
            command.Options.Add(option);
        }
        command.Validators.Add(r =>
        {
            account.Validate(r, "register");
            if (r.GetResult(cluster.Cluster) is not { Implicit: false })
            {
                if (r.GetResult(minNodes) is { Implicit: false })
                {
                    r.AddError("--min-nodes needs --cluster HOST:PORT: without it the accounts run in this process");
                }
                return;
            }
            // The accounts run on the nodes: what their SIP stacks and actors use is set there.
            foreach (var (option, name) in new (Option, string)[] { (account.ConnectTimeout, "--connect-timeout"), (account.TlsCert, "--tls-cert"), (account.TlsCa, "--tls-ca"), (account.TlsInsecure, "--tls-insecure"), (account.Local, "--local") })
            {
                if (r.GetResult(option) is { Implicit: false })
                {
                    r.AddError($"{name} with --cluster: the accounts connect from the nodes; give it to each 'sipactors node' instead");
                }
            }
            foreach (var option in metrics.All.Append(traceErrors))
            {
                if (r.GetResult(option) is { Implicit: false })
                {
                    r.AddError($"{option.Name} with --cluster: the SIP stacks are the nodes'; give {option.Name} to each 'sipactors node' instead (the report's nodes and --stats sum their figures)");
                }
            }
            if (r.GetResult(account.Server) is not { Implicit: false } && r.GetValue(cluster.AllowNonLoopback))
            {
                r.AddError("--allow-non-loopback needs --server: the embedded registrar listens on 127.0.0.1, which other machines' nodes cannot reach");
            }
        });

        command.SetAction(async (result, cancellationToken) =>
        {
            RateProfile? profile = null;
            if (result.GetValue(rate) is { } rateText)
            {
                RateProfile.TryParse(rateText, out profile, out _);
            }
            var run = account.ReadConfig(result);
            var options = account.Apply(result, run, new LoadOptions
            {
                Accounts = account.ReadAccounts(result),
                MaxFailures = result.GetValue(maxFailures),
                StartMetrics = stack => metrics.Start(result, stack),
                ExtraHeaders = result.GetValue(extraHeader) ?? [],
                // The command line wins; a --config file's rate and concurrency come next, then load's own defaults.
                Rate = profile is null
                    ? run?.Config.HasPath("sip-actors.connect-rate-limit") == true ? run.Settings.Supervisor.ConnectRateLimit : null
                    : profile.ConstantRate,
                RateStages = profile?.ConstantRate is null ? profile : null,
                Concurrency = result.GetResult(concurrency) is { Implicit: false } || run?.Config.HasPath("sip-actors.max-concurrent-connects") != true
                    ? result.GetValue(concurrency)
                    : run.Settings.Supervisor.MaxConcurrentConnects,
                Duration = TimeSpan.FromSeconds(result.GetValue(duration)),
                Unregister = !result.GetValue(noUnregister),
                ReportPath = result.GetValue(report)?.FullName,
                HtmlPath = result.GetValue(html)?.FullName,
                FailuresPath = result.GetValue(failures)?.FullName,
                StatsPath = result.GetValue(stats)?.FullName,
                StatsInterval = TimeSpan.FromSeconds(result.GetValue(statsInterval)),
                TraceErrorsPath = result.GetValue(traceErrors)?.FullName,
                Quiet = result.GetValue(quiet),
                Plain = result.GetValue(plain),
                Cluster = cluster.IsGiven(result)
                    ? new ClusterLoadOptions(cluster.Self(result), cluster.Seeds(result), result.GetValue(minNodes))
                    {
                        // A coordinator has no role: it hosts no slice.
                        Config = hocon => cluster.NodeConfig(result, [], hocon),
                    }
                    : null,
            });
            var output = result.InvocationConfiguration.Output;
            var live = !options.Quiet && !options.Plain && ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
            return await LoadRunner.RunAsync(options, output, result.InvocationConfiguration.Error, live, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>RFC 3261 header line: a token name, a colon, a value without line breaks.</summary>
    internal static bool IsHeaderLine(string header)
    {
        var colon = header.IndexOf(':');
        if (colon <= 0 || header.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            return false;
        }
        var name = header.AsSpan(0, colon).Trim();
        if (name.IsEmpty)
        {
            return false;
        }
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "-.!%*_+`'~".Contains(c)))
            {
                return false;
            }
        }
        return header.AsSpan(colon + 1).Trim().Length > 0;
    }
}
