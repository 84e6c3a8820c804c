using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using SipActors.Cli.Run;
using SipActors.Cli.Telemetry;
using SipActors.Sip.Transports;

namespace SipActors.Cli.Load;

/// <summary><c>sipactors load</c>: register N accounts, hold them, un-register them, report (issue #5).</summary>
internal static class LoadCommand
{
    public static Command Create()
    {
        var server = new Option<string>("--server") { Description = "Target SipServerUrl: udp://, tcp://, tls://host:port, ws:// or wss:// URL, or a sip:/sips: URI. Default: an embedded registrar started on 127.0.0.1.", HelpName = "URL" };
        var domain = new Option<string>("--domain") { Description = "SipServerIp, the host of the accounts' URIs (sip:user@DOMAIN). Default: the server's host.", HelpName = "HOST" };
        var transport = new Option<string>("--transport") { Description = "Transport to the embedded registrar (without --server): udp, tcp or ws.", DefaultValueFactory = _ => "udp", HelpName = "udp|tcp|ws" };
        var accounts = new Option<int?>("--accounts") { Description = "Number of accounts to register.", HelpName = "N" }.WholeNumber();
        var first = new Option<int>("--first") { Description = "Index of the first account.", DefaultValueFactory = _ => 0, HelpName = "N" }.WholeNumber();
        var userFormat = new Option<string>("--user-format") { Description = "User name for index i: a .NET composite format with i as {0}.", DefaultValueFactory = _ => "user{0:D4}" };
        var authUserFormat = new Option<string?>("--auth-user-format") { Description = "Digest user name when the server's differs from the SIP user: {user} is the user name, {0} the index (default: the user name)." };
        var passwordFormat = new Option<string>("--password-format") { Description = "Password: {user} is the user name, {0} the index (the embedded registrar's rule is pw-{user}).", DefaultValueFactory = _ => "pw-{user}" };
        var accountsFile = new Option<FileInfo>("--accounts-file") { Description = "CSV of accounts (RFC 4180, comma-separated, fields may be quoted), one 'user,password[,display name]' per record; a header record 'user,password,...', # comments and blank lines skipped. Instead of --accounts.", HelpName = "FILE" };
        var displayName = new Option<string>("--display-name") { Description = "Display name of every account (a file's third column wins)." };
        var extraHeader = new Option<string[]>("--extra-header") { Description = "Extra 'Name: value' header on every REGISTER; repeatable.", AllowMultipleArgumentsPerToken = false, HelpName = "\"Name: value\"" };
        var expires = new Option<int?>("--expires") { Description = "Requested registration lifetime, seconds (default: sip-actors.register-expires, 300).", HelpName = "S" }.WholeNumber("a whole number of seconds");
        var rate = new Option<string>("--rate") { Description = "New registrations started per second, or stages: 100:2000/60s,2000/120s ramps from 100/s to 2000/s over 60 s, then holds 2000/s for 120 s (the last rate goes on until every account started). Default: as fast as the server answers, bounded by --concurrency.", HelpName = "R|STAGES" };
        var concurrency = new Option<int>("--concurrency") { Description = "Registrations in flight at once (sip-actors.max-concurrent-connects). More is not faster: a server that drops requests under a burst costs a 500 ms retransmission each.", DefaultValueFactory = _ => SipActors.Configuration.SipActorsSettings.Create().Supervisor.MaxConcurrentConnects, HelpName = "C" }.WholeNumber();
        var duration = new Option<double>("--duration") { Description = "Seconds to hold the accounts registered after the ramp (refreshes happen).", DefaultValueFactory = _ => 0, HelpName = "S" }.Number("a number of seconds");
        var noUnregister = new Option<bool>("--no-unregister") { Description = "Leave the accounts registered at the end (no un-REGISTER)." };
        var report = new Option<FileInfo>("--report") { Description = "Write the report as JSON to this file.", HelpName = "FILE.json" };
        var html = new Option<FileInfo>("--html") { Description = "Write the report as HTML (charts) to this file.", HelpName = "FILE.html" };
        var stats = new Option<FileInfo>("--stats") { Description = "Write one CSV row per --stats-interval: accounts by state, rates, refreshes, requests sent, retransmissions, timeouts, latency p50/p90/p99, failures by cause, CPU, memory.", HelpName = "FILE.csv" };
        var statsInterval = new Option<double>("--stats-interval") { Description = "Seconds between two --stats rows.", DefaultValueFactory = _ => 1, HelpName = "S" }.Number("a number of seconds");
        var failures = new Option<FileInfo>("--failures") { Description = "Write every failed account as CSV (id,cause,status,detail) to this file; the report lists the first 20.", HelpName = "FILE.csv" };
        var config = new Option<FileInfo>("--config") { Description = "HOCON file of sip-actors settings (timers, connect-timeout, transport...) merged over the defaults; the command line wins. No accounts: they come from --accounts or --accounts-file.", HelpName = "FILE.hocon" };
        var connectTimeout = new Option<double?>("--connect-timeout") { Description = "Seconds a connect may take before it fails (sip-actors.connect-timeout, 10).", HelpName = "S" }.Number("a number of seconds");
        var tlsCert = new Option<FileInfo>("--tls-cert") { Description = "Trust the TLS/WSS server that presents this certificate (PEM or DER; a self-signed lab certificate), besides the system's roots. Its name must still match the server's host.", HelpName = "FILE" };
        var tlsInsecure = new Option<bool>("--tls-insecure") { Description = "Do not check the TLS/WSS server's certificate at all. Anyone on the path can then pose as the server: loopback labs only." };
        var maxFailures = new Option<int?>("--max-failures") { Description = "Stop the ramp once this many accounts failed (those registered are then un-registered).", HelpName = "N" }.WholeNumber();
        var metrics = MetricsExport.Options.Create();
        var quiet = new Option<bool>("--quiet") { Description = "No progress while running, only the summary." };
        var plain = new Option<bool>("--plain") { Description = "Plain progress lines even on a terminal." };

        transport.Validators.Add(r =>
        {
            if (TryValue<string>(r, out var value) && value is not ("udp" or "tcp" or "ws"))
            {
                r.AddError($"--transport '{value}' is not one of udp, tcp, ws");
            }
        });
        server.Validators.Add(r =>
        {
            if (TryValue<string>(r, out var value) && !SipServerTarget.TryParse(value, out _, out var error))
            {
                // An address with '@' may carry a password: named, not quoted.
                r.AddError(value?.Contains('@', StringComparison.Ordinal) == true ? $"--server {error}" : $"--server '{value}' {error}");
            }
        });
        domain.Validators.Add(r =>
        {
            if (TryValue<string>(r, out var value) && (string.IsNullOrWhiteSpace(value) || value.AsSpan().IndexOfAny(" \t\r\n;@<>/") >= 0))
            {
                r.AddError($"--domain '{value}' is not a host name or address");
            }
        });
        accounts.Validators.Add(r => Range<int?>(r, "--accounts", 1, 10_000_000));
        first.Validators.Add(r => Range<int>(r, "--first", 0, int.MaxValue - 10_000_000));
        expires.Validators.Add(r => Range<int?>(r, "--expires", 1, 86400));
        concurrency.Validators.Add(r => Range<int>(r, "--concurrency", 1, 1_000_000));
        maxFailures.Validators.Add(r => Range<int?>(r, "--max-failures", 1, int.MaxValue));
        connectTimeout.Validators.Add(r =>
        {
            if (TryValue<double?>(r, out var seconds) && seconds is { } value && !(value >= 0.1 && value <= 3600))
            {
                r.AddError($"--connect-timeout must be 0.1..3600 seconds, not {value.ToString(CultureInfo.InvariantCulture)}");
            }
        });
        tlsCert.Validators.Add(r =>
        {
            if (TryValue<FileInfo>(r, out var file) && file is { Exists: false })
            {
                r.AddError($"--tls-cert '{file.FullName}' does not exist");
            }
        });
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
        duration.Validators.Add(r =>
        {
            if (TryValue<double>(r, out var value) && !(value >= 0 && value <= 31_536_000))
            {
                r.AddError($"--duration must be 0..31536000 seconds, not {value.ToString(CultureInfo.InvariantCulture)}");
            }
        });
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
        statsInterval.Validators.Add(r =>
        {
            if (TryValue<double>(r, out var value) && !(value >= 0.1 && value <= 3600))
            {
                r.AddError($"--stats-interval must be 0.1..3600 seconds, not {value.ToString(CultureInfo.InvariantCulture)}");
            }
        });

        var command = new Command("load", "Register N accounts (one actor each), hold them registered, un-register them, and report rates, latencies and failures.")
        {
            server, domain, transport, accounts, first, userFormat, authUserFormat, passwordFormat, accountsFile, displayName, extraHeader,
            expires, rate, concurrency, duration, noUnregister, config, connectTimeout, tlsCert, tlsInsecure, maxFailures, report, html, failures, stats, statsInterval, quiet, plain,
        };
        foreach (var option in metrics.All)
        {
            command.Options.Add(option);
        }
        command.Validators.Add(r =>
        {
            var hasCount = r.GetResult(accounts) is { Implicit: false };
            var hasFile = r.GetResult(accountsFile) is { Implicit: false };
            if (hasCount == hasFile)
            {
                r.AddError(hasCount
                    ? "--accounts and --accounts-file exclude each other: give the count or the file"
                    : "say which accounts to register: --accounts N (generated names) or --accounts-file FILE");
            }
            if (r.GetResult(tlsCert) is { Implicit: false } && r.GetResult(tlsInsecure) is { Implicit: false })
            {
                r.AddError("--tls-cert and --tls-insecure exclude each other: trust one certificate, or check none");
            }
        });

        command.SetAction(async (result, cancellationToken) =>
        {
            var file = result.GetValue(accountsFile);
            RateProfile? profile = null;
            if (result.GetValue(rate) is { } rateText)
            {
                RateProfile.TryParse(rateText, out profile, out _);
            }
            var run = result.GetValue(config) is { } configFile ? RunConfiguration.Load(configFile.FullName, "--config", accounts: false) : null;
            var options = new LoadOptions
            {
                Settings = run?.Settings,
                Config = run?.Config,
                ConnectTimeout = result.GetValue(connectTimeout) is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
                TlsCertificatePath = result.GetValue(tlsCert)?.FullName,
                TlsInsecure = result.GetValue(tlsInsecure),
                MaxFailures = result.GetValue(maxFailures),
                StartMetrics = stack => metrics.Start(result, stack),
                Server = result.GetValue(server),
                Domain = result.GetValue(domain),
                EmbeddedTransport = result.GetValue(transport)!,
                Accounts = file is not null
                    ? LoadAccounts.ReadFile(file.FullName)
                    : LoadAccounts.Generate(result.GetValue(accounts)!.Value, result.GetValue(first), result.GetValue(userFormat)!, result.GetValue(passwordFormat)!, result.GetValue(authUserFormat)),
                DisplayName = result.GetValue(displayName) ?? "",
                ExtraHeaders = result.GetValue(extraHeader) ?? [],
                Expires = result.GetValue(expires),
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
                Quiet = result.GetValue(quiet),
                Plain = result.GetValue(plain),
            };
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

    /// <summary>The option's value; false when it did not convert (System.CommandLine reports that error itself).</summary>
    private static bool TryValue<T>(OptionResult r, out T? value)
    {
        try
        {
            value = r.GetValueOrDefault<T>();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default;
            return false;
        }
    }

    private static void Range<T>(OptionResult r, string name, int min, int max)
    {
        if (TryValue<T>(r, out var value) && value is int v && (v < min || v > max))
        {
            r.AddError(string.Create(CultureInfo.InvariantCulture, $"{name} must be {min}..{max}, not {v}"));
        }
    }

    /// <summary>Checked before the run: a report that cannot be written would be found out only at its end.</summary>
    private static void WritableFile(OptionResult r, string name)
    {
        if (TryValue<FileInfo>(r, out var file) && file is not null && OutputFiles.Problem(name, file.FullName) is { } problem)
        {
            r.AddError(problem);
        }
    }
}
