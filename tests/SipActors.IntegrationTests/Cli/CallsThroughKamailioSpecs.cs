using System.Globalization;
using System.Text.RegularExpressions;
using SipActors.Cli;
using SipActors.Cli.Calls;
using SipActors.IntegrationTests.Peers;

namespace SipActors.IntegrationTests.Cli;

/// <summary>
/// <c>sipactors calls</c> through a real, record-routing Kamailio (tests/peers/kamailio/kamailio.cfg,
/// <c>lookup("location")</c> for the callees): callers to auto-answer callees over UDP and over WS,
/// counted by Kamailio too, and every account calling a SIPp UAS with <c>--target</c>.
/// </summary>
[Collection(ProcessWideMetersCollection.Name)]
public sealed partial class CallsThroughKamailioSpecs : IClassFixture<KamailioFixture>, IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);
    private readonly KamailioFixture _kamailio;
    private readonly string _directory = Directory.CreateTempSubdirectory("sipactors-calls-").FullName;

    public CallsThroughKamailioSpecs(KamailioFixture kamailio) => _kamailio = kamailio;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("udp")]
    [InlineData("ws")]
    public async Task Should_answer_the_calls_between_registered_accounts_through_kamailio(string transport)
    {
        var server = transport == "ws" ? $"ws://127.0.0.1:{_kamailio.WsPort}" : $"udp://127.0.0.1:{_kamailio.UdpPort}";
        var reportPath = Path.Combine(_directory, $"calls-{transport}.json");
        var invitesBefore = await KamailioInvitesAsync();

        var (exit, output, error) = await RunAsync(["calls", "--server", server, "--domain", _kamailio.Domain, "--accounts", "40", "--user-format", $"kc{transport}{{0:D3}}",
            "--cps", "10", "--hold", "1", "--duration", "5", "--plain", "--report", reportPath]);

        var report = CallsReport.Deserialize(await File.ReadAllTextAsync(reportPath))!;
        var invites = await KamailioInvitesAsync() - invitesBefore;
        var context = $"exit {exit}\n{output}\n{error}\n{_kamailio.LogTail()}";
        Assert.True(exit == 0, context);
        Assert.Equal(0, report.CallsFailed);
        Assert.InRange(report.CallsAttempted, 45, 55); // 10/s for 5 s
        Assert.True(report.CallsAnswered >= 0.95 * report.CallsAttempted, $"{report.CallsAnswered} of {report.CallsAttempted} answered\n{context}");
        // One INVITE per call reached Kamailio: no retransmission, no second INVITE for a challenge.
        // Every INVITE answered 200 is an answered call with its BYE answered 200, the call whose
        // 200 crossed the stop's CANCEL included. Kamailio has been seen counting one INVITE more
        // than the calls placed, once per run at most (clean-clone runs: 50 for 49; the comparison
        // at 800/s: 24,001 for 24,000), not explained yet; more than one is a failure.
        var counts = $"placed {report.CallsAttempted}, answered {report.CallsAnswered}, cancelled at the end {report.CallsCancelledAtStop}, INVITEs at Kamailio {invites}, "
            + $"INVITE responses {string.Join(", ", report.InviteResponses.Select(r => $"{r.Key}: {r.Value}"))}, BYE responses {string.Join(", ", report.ByeResponses.Select(r => $"{r.Key}: {r.Value}"))}, "
            + $"retransmissions {report.Retransmissions}\n{context}";
        Assert.True(invites >= report.CallsAttempted && invites <= report.CallsAttempted + 1, counts);
        Assert.True(report.CallsAnswered == report.InviteResponses.GetValueOrDefault("200"), counts);
        Assert.True(report.CallsAnswered == report.ByeResponses.GetValueOrDefault("200"), counts);
        Assert.Equal((40, 40, 0), (report.Registered, report.Unregistered, report.CallsLeftUp));
        Assert.Equal(transport, report.Settings.Transport);
        Assert.Equal(0, await _kamailio.GetRegisteredUsersAsync());
    }

    [Fact]
    public async Task Should_call_a_sipp_uas_with_target_through_kamailio()
    {
        var sipp = ExternalTools.Find("sipp", "apt-get install sip-tester");
        var port = FreePorts.Take(1)[0];
        const int Calls = 10;
        // The UAS echoes Record-Route (sipp -sn uas does not): the caller's ACK and BYE reach it through Kamailio's route.
        var scenario = Path.Combine(AppContext.BaseDirectory, "peers", "sipp", "uas_record_route.xml");
        var uas = ExternalTools.RunAsync(sipp, ["-sf", scenario, "-i", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-m", Calls.ToString(CultureInfo.InvariantCulture),
            "-nostdin", "-timeout", "60s", "-timeout_error"], TimeSpan.FromSeconds(90));
        await Task.Delay(500); // SIPp binds its port

        var reportPath = Path.Combine(_directory, "calls-target.json");
        var (exit, output, error) = await RunAsync(["calls", "--server", $"udp://127.0.0.1:{_kamailio.UdpPort}", "--domain", _kamailio.Domain, "--accounts", "5", "--user-format", "kct{0:D2}",
            "--target", $"sip:service@127.0.0.1:{port}", "--cps", "5", "--hold", "0.5", "--calls", Calls.ToString(CultureInfo.InvariantCulture), "--plain", "--report", reportPath]);
        var (sippExit, sippOutput) = await uas;

        var report = CallsReport.Deserialize(await File.ReadAllTextAsync(reportPath))!;
        var context = $"exit {exit}\n{output}\n{error}\n--- sipp {sippExit}\n{sippOutput}";
        Assert.True(exit == 0, context);
        Assert.Equal((Calls, Calls, 0L), (report.CallsAttempted, report.CallsAnswered, report.CallsFailed));
        Assert.Equal(Calls, report.ByeResponses.GetValueOrDefault("200"));
        Assert.True(report.RingMs.Max > 0, "the UAS's 180 was timed");
        Assert.Equal((5, 0), (report.Callers, report.Callees));
        Assert.True(sippExit == 0, $"SIPp's UAS saw failed calls\n{context}");
    }

    private async Task<(int Exit, string Output, string Error)> RunAsync(string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await Program.RunAsync(args, output, error).WaitAsync(Bound);
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>INVITEs Kamailio received so far (its core statistic, retransmissions included).</summary>
    private async Task<long> KamailioInvitesAsync()
    {
        var kamcmd = ExternalTools.Find("kamcmd", "apt-get install kamailio");
        var (code, text) = await ExternalTools.RunAsync(kamcmd, ["-s", $"unix:{_kamailio.RunDirectory}/ctl", "stats.get_statistics", "core:"], TimeSpan.FromSeconds(10));
        var match = Invites().Match(text);
        Assert.True(code == 0 && match.Success, $"kamcmd stats failed ({code}): {text}");
        return long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"core:rcv_req\w*_invite\s*=\s*(\d+)")]
    private static partial Regex Invites();
}
