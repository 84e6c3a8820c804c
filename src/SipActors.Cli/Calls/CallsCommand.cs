using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using SipActors.Cli.Accounts;
using SipActors.Cli.Load;
using SipActors.Sip.Uris;
using static SipActors.Cli.Accounts.OptionChecks;

namespace SipActors.Cli.Calls;

/// <summary>
/// <c>sipactors calls</c>: register accounts as <c>load</c> does, then place calls per second
/// between them (half call, half auto-answer) or to an external UAS, hold, hang up, report.
/// </summary>
internal static class CallsCommand
{
    public static Command Create()
    {
        var account = AccountCommandOptions.Create(
            "Target SipServerUrl (udp://, tcp://, tls://host:port, ws:// or wss:// URL, or a sip:/sips: URI): the proxy the calls go through. Default: an embedded registrar on 127.0.0.1, which relays calls between its users.",
            "Number of accounts (callers and callees together).");
        var callees = new Option<int?>("--callees") { Description = "Accounts that answer every call (auto-answer), the last ones; the others call them in turn. Default: half of the accounts.", HelpName = "N" }.WholeNumber();
        var target = new Option<string>("--target") { Description = "Call this sip:/sips: URI (an external UAS, through --server) instead of the callees: every account is then a caller. In-dialog requests (ACK, BYE) go to --server as well, so the target must be reached through it.", HelpName = "URI" };
        var cps = new Option<string>("--cps") { Description = "New calls per second (open model: due calls are placed whatever the answers), or load's rate stages: 10:100/60s,100/60s ramps from 10/s to 100/s over 60 s, then holds 100/s for 60 s.", HelpName = "R|STAGES" };
        var maxConcurrent = new Option<int?>("--max-concurrent") { Description = "Calls up at once at most: a call due while this many are up waits for one to end.", HelpName = "N" }.WholeNumber();
        var hold = new Option<double>("--hold") { Description = "Seconds from the answer to the caller's BYE.", DefaultValueFactory = _ => 2, HelpName = "S" }.Number("a number of seconds");
        var holdJitter = new Option<double>("--hold-jitter") { Description = "Up to this many seconds more, uniformly at random, on each call's hold.", DefaultValueFactory = _ => 0, HelpName = "S" }.Number("a number of seconds");
        var duration = new Option<double?>("--duration") { Description = "Seconds of placing calls; then the calls still up are hung up (BYE, CANCEL) and the accounts un-registered.", HelpName = "S" }.Number("a number of seconds");
        var calls = new Option<int?>("--calls") { Description = "Stop placing after this many calls (those up end after their hold).", HelpName = "N" }.WholeNumber();
        var concurrency = new Option<int>("--concurrency") { Description = "Registrations in flight at once before the calls start.", DefaultValueFactory = _ => SipActors.Configuration.SipActorsSettings.Create().Supervisor.MaxConcurrentConnects, HelpName = "C" }.WholeNumber();
        var report = new Option<FileInfo>("--report") { Description = "Write the report as JSON to this file.", HelpName = "FILE.json" };
        var html = new Option<FileInfo>("--html") { Description = "Write the report as HTML (calls over time, setup-time histogram) to this file.", HelpName = "FILE.html" };
        var stats = new Option<FileInfo>("--stats") { Description = "Write one CSV row per --stats-interval: calls attempted, answered, failed, up, calls/s, retransmissions, setup p50/p99.", HelpName = "FILE.csv" };
        var statsInterval = new Option<double>("--stats-interval") { Description = "Seconds between two --stats rows.", DefaultValueFactory = _ => 1, HelpName = "S" }.Number("a number of seconds");
        var quiet = new Option<bool>("--quiet") { Description = "No progress while running, only the summary." };
        var plain = new Option<bool>("--plain") { Description = "Plain progress lines even on a terminal." };
        target.Validators.Add(r =>
        {
            if (TryValue<string>(r, out var value) && (value is null || !SipUri.TryParse(value, out _)))
            {
                r.AddError($"--target '{value}' is not a sip: or sips: URI (sip:service@127.0.0.1:5080)");
            }
        });
        cps.Validators.Add(r =>
        {
            if (!TryValue<string>(r, out var text) || text is null || RateProfile.TryParse(text, out _, out var error))
            {
                return;
            }
            r.AddError(double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                ? $"--cps must be a positive number of calls per second, not {number.ToString(CultureInfo.InvariantCulture)}"
                : $"--cps '{text}' is not a number of calls per second, nor stages such as 10:100/60s,100/60s ({error})");
        });
        callees.Validators.Add(r => Range<int?>(r, "--callees", 1, 10_000_000));
        maxConcurrent.Validators.Add(r => Range<int?>(r, "--max-concurrent", 1, 10_000_000));
        calls.Validators.Add(r => Range<int?>(r, "--calls", 1, int.MaxValue));
        concurrency.Validators.Add(r => Range<int>(r, "--concurrency", 1, 1_000_000));
        hold.Validators.Add(r => Seconds(r, "--hold", 0, 86400));
        holdJitter.Validators.Add(r => Seconds(r, "--hold-jitter", 0, 86400));
        duration.Validators.Add(r => Seconds(r, "--duration", 0.1, 31_536_000));
        statsInterval.Validators.Add(r => Seconds(r, "--stats-interval", 0.1, 3600));
        report.Validators.Add(r => WritableFile(r, "--report"));
        html.Validators.Add(r => WritableFile(r, "--html"));
        stats.Validators.Add(r => WritableFile(r, "--stats"));

        var command = new Command("calls", "Register accounts, then place calls per second between them (half call, half answer) or to --target, hold each, hang up, and report setup times and failures by cause. SDP: the minimal offer/answer SipActors makes (no media is sent).");
        account.AddTo(command);
        foreach (var option in new Option[] { callees, target, cps, maxConcurrent, hold, holdJitter, duration, calls, concurrency, report, html, stats, statsInterval, quiet, plain })
        {
            command.Options.Add(option);
        }
        command.Validators.Add(r =>
        {
            account.Validate(r, "use");
            var hasCount = r.GetResult(account.Accounts) is { Implicit: false };
            if (r.GetResult(cps) is not { Implicit: false })
            {
                r.AddError("say how fast to call: --cps R (new calls per second)");
            }
            if (r.GetResult(duration) is not { Implicit: false } && r.GetResult(calls) is not { Implicit: false })
            {
                r.AddError("say when to stop: --duration S (seconds of calling) or --calls N (this many calls)");
            }
            var hasTarget = r.GetResult(target) is { Implicit: false };
            if (hasTarget && r.GetResult(callees) is { Implicit: false })
            {
                r.AddError("--callees and --target exclude each other: with --target every account calls it");
            }
            if (hasCount && TryValue<int?>(r.GetResult(account.Accounts)!, out var count) && count is { } n)
            {
                if (!hasTarget && n < 2)
                {
                    r.AddError("--accounts must be at least 2 without --target: one to call, one to answer");
                }
                if (r.GetResult(callees) is { Implicit: false } calleesResult && TryValue<int?>(calleesResult, out var calleeCount) && calleeCount >= n)
                {
                    r.AddError(string.Create(CultureInfo.InvariantCulture, $"--callees must be fewer than --accounts ({n}): at least one account calls"));
                }
            }
        });

        command.SetAction(async (result, cancellationToken) =>
        {
            RateProfile.TryParse(result.GetValue(cps)!, out var profile, out _);
            var list = account.ReadAccounts(result);
            var targetUri = result.GetValue(target);
            var calleeCount = targetUri is not null ? 0 : result.GetValue(callees) ?? list.Count / 2;
            if (targetUri is null && (list.Count < 2 || calleeCount >= list.Count))
            {
                throw new CliUsageException(string.Create(CultureInfo.InvariantCulture,
                    $"--accounts-file: {Plural.Of(list.Count, "account")} cannot be split into callers and {Plural.Of(calleeCount, "callee")}: at least one of each"));
            }
            var options = account.Apply(result, account.ReadConfig(result), new CallsOptions
            {
                Accounts = list,
                Callees = calleeCount,
                Target = targetUri,
                Rate = profile!,
                MaxConcurrent = result.GetValue(maxConcurrent) ?? int.MaxValue,
                Hold = TimeSpan.FromSeconds(result.GetValue(hold)),
                HoldJitter = TimeSpan.FromSeconds(result.GetValue(holdJitter)),
                Duration = result.GetValue(duration) is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
                MaxCalls = result.GetValue(calls),
                RegisterConcurrency = result.GetValue(concurrency),
                ReportPath = result.GetValue(report)?.FullName,
                HtmlPath = result.GetValue(html)?.FullName,
                StatsPath = result.GetValue(stats)?.FullName,
                StatsInterval = TimeSpan.FromSeconds(result.GetValue(statsInterval)),
                Quiet = result.GetValue(quiet),
                Plain = result.GetValue(plain),
            });
            var output = result.InvocationConfiguration.Output;
            var live = !options.Quiet && !options.Plain && ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
            return await CallsRunner.RunAsync(options, output, result.InvocationConfiguration.Error, live, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }
}
