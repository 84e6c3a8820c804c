using SipActors.Cli.Load;

namespace SipActors.Cli.Tests.Load;

/// <summary>The live line and the summary say what is registered now, what was lost, and each failure's status.</summary>
public sealed class LoadSummarySpecs
{
    [Fact]
    public void Should_show_registered_now_losses_and_causes_in_the_progress_line()
    {
        var progress = new LoadProgress(10, 2, 0, 0, 100, 1, 2)
        {
            RegisteredNow = 7,
            Losses = 4,
            Reregistrations = 1,
            FailuresByCause = new Dictionary<string, int> { ["SIP Failure Code (503)"] = 1, ["SIP Failure Code (423)"] = 1 },
        };

        var line = new LoadFrame("hold", TimeSpan.FromSeconds(3), 12, progress, 0, 0, 0, 0, false).ToLine();

        Assert.Contains("registered 7/12 (once 10, lost 4, re-registered 1) failed 2 [SIP Failure Code (423) 1, SIP Failure Code (503) 1]", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_fail_a_run_whose_accounts_were_not_all_registered_at_the_end_of_the_hold()
    {
        var report = new LoadReport
        {
            Accounts = 2, Registered = 2, RegisteredAtHoldEnd = 1, Losses = 1, Reregistrations = 0, Failed = 0,
            FailuresByCause = new Dictionary<string, int>(), RegistrationRate = 1, LatencyMs = new LatencySummary(1, 1, 1, 1),
            Refreshes = 0, RefreshFailures = 0, Unregistered = 2, DurationSeconds = 1, PeakWorkingSetBytes = 1,
            Events = new Dictionary<string, long>(), Server = "tcp://127.0.0.1:5060", Domain = "127.0.0.1",
            StartedAt = DateTimeOffset.UnixEpoch, RampSeconds = 1, Timeline = [], LatencyHistogram = [],
        };
        var options = new LoadOptions { Accounts = [] };
        var output = new StringWriter();

        await LoadSummary.WriteAsync(output, report, options, []);

        Assert.Contains("held            1 / 2 registered at the end of the hold, 1 lost, 0 re-registered", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("result          FAILED", output.ToString(), StringComparison.Ordinal);
        Assert.False(LoadSummary.IsSuccess(report, options));
        Assert.True(LoadSummary.IsSuccess(report with { RegisteredAtHoldEnd = 2 }, options));
    }
}
