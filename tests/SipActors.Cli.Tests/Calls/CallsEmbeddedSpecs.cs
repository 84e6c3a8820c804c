using System.Net;
using System.Text.Json;
using SipActors.Cli.Calls;
using SipActors.Sip.Registrar;

namespace SipActors.Cli.Tests.Calls;

/// <summary>
/// <c>sipactors calls</c> against the embedded registrar, which relays the calls between its users:
/// a whole run with its report, and Ctrl+C with calls up, which must leave no call and no binding.
/// </summary>
[Collection(NetworkCollection.Name)]
public sealed class CallsEmbeddedSpecs : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Should_answer_every_call_between_half_callers_and_half_callees_and_report_it()
    {
        var report = _files.PathOf("calls.json");
        var html = _files.PathOf("calls.html");
        var stats = _files.PathOf("calls.csv");

        var result = await CliInvocation.RunAsync(["calls", "--accounts", "20", "--cps", "20", "--hold", "0.5", "--hold-jitter", "0.2", "--calls", "30",
            "--plain", "--report", report, "--html", html, "--stats", stats, "--stats-interval", "0.5"]).WaitAsync(Bound);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        var root = json.RootElement;
        foreach (var key in new[] { "callsAttempted", "callsAnswered", "callsFailed", "failuresByCause", "setupMs", "ringMs", "concurrentPeak", "durationSeconds", "settings" })
        {
            Assert.True(root.TryGetProperty(key, out _), $"the report has no {key}");
        }
        foreach (var key in new[] { "p50", "p90", "p99", "max" })
        {
            Assert.True(root.GetProperty("setupMs").TryGetProperty(key, out _), $"setupMs has no {key}");
        }
        Assert.Equal((30, 30, 0), (root.GetProperty("callsAttempted").GetInt64(), root.GetProperty("callsAnswered").GetInt64(), root.GetProperty("callsFailed").GetInt64()));
        Assert.Equal(30, root.GetProperty("callsCompleted").GetInt64());
        Assert.Equal(30, root.GetProperty("inviteResponses").GetProperty("200").GetInt64());
        Assert.Equal(30, root.GetProperty("byeResponses").GetProperty("200").GetInt64());
        Assert.True(root.GetProperty("setupMs").GetProperty("max").GetDouble() > 0);
        Assert.InRange(root.GetProperty("concurrentPeak").GetInt32(), 1, 30);
        Assert.Equal((20, 20, 0), (root.GetProperty("registered").GetInt32(), root.GetProperty("unregistered").GetInt32(), root.GetProperty("callsLeftUp").GetInt32()));
        Assert.Equal((10, 10), (root.GetProperty("callers").GetInt32(), root.GetProperty("callees").GetInt32()));
        Assert.True(root.GetProperty("settings").GetProperty("embeddedRegistrar").GetBoolean());
        Assert.Equal("20", root.GetProperty("settings").GetProperty("cps").GetString());
        Assert.Contains("result          OK", result.Output, StringComparison.Ordinal);

        var page = await File.ReadAllTextAsync(html);
        Assert.Contains("Calls over time", page, StringComparison.Ordinal);
        Assert.Contains("Call setup time histogram", page, StringComparison.Ordinal);
        var rows = await File.ReadAllLinesAsync(stats);
        Assert.StartsWith("second,phase,registered,attempted,answered,failed", rows[0], StringComparison.Ordinal);
        Assert.True(rows.Length >= 3, $"{rows.Length - 1} stats rows");
        Assert.Contains(rows.Skip(1), r => r.Split(',')[1] == "calling");
        Assert.DoesNotContain("pw-user", result.Output + result.Error + page + string.Join('\n', rows), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_place_its_calls_from_the_local_address()
    {
        var report = _files.PathOf("local.json");

        // The embedded registrar listens on 127.0.0.1 and relays each INVITE to the callee's Contact, which is then 127.0.0.2.
        var result = await CliInvocation.RunAsync(["calls", "--accounts", "4", "--cps", "10", "--hold", "0.2", "--calls", "4", "--local", "127.0.0.2", "--plain", "--report", report]).WaitAsync(Bound);

        Assert.True(result.ExitCode == 0, result.ToString());
        var calls = CallsReport.Deserialize(await File.ReadAllTextAsync(report))!;
        Assert.Equal((4, 4, 0), (calls.CallsAttempted, calls.CallsAnswered, calls.CallsFailed));
        Assert.Equal("127.0.0.2:0", calls.Settings.LocalAddress);
    }

    [Fact]
    public async Task Should_hang_up_every_call_and_unregister_every_account_on_ctrl_c()
    {
        await using var registrar = EmbeddedRegistrar.Start(new EmbeddedRegistrarOptions { UdpEndPoint = new IPEndPoint(IPAddress.Loopback, 0) });
        var report = _files.PathOf("interrupted.json");
        using var stop = new CancellationTokenSource();

        // A long hold: when Ctrl+C comes, every call answered so far is still up at both ends.
        var run = CliInvocation.RunAsync(["calls", "--server", $"udp://{registrar.UdpEndPoint}", "--accounts", "40", "--cps", "20", "--hold", "60",
            "--duration", "120", "--plain", "--report", report], stop.Token);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (registrar.RegisteredUsers < 40)
        {
            Assert.False(run.IsCompleted, "the run ended before every account registered");
            Assert.True(DateTime.UtcNow < deadline, $"{registrar.RegisteredUsers} of 40 registered within 60 s");
            await Task.Delay(50);
        }
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // about 30 calls placed, every caller with one up
        await stop.CancelAsync();
        var result = await run.WaitAsync(Bound);

        Assert.True(result.ExitCode == 1, result.ToString());
        var calls = CallsReport.Deserialize(await File.ReadAllTextAsync(report))!;
        Assert.True(calls.Interrupted);
        Assert.True(calls.CallsAnswered >= 10, $"{calls.CallsAnswered} calls answered before Ctrl+C");
        Assert.Equal(0, calls.CallsFailed);
        // Each answered call was hung up with a BYE the callee answered; no account (caller or callee) holds a call.
        Assert.Equal(calls.CallsAnswered, calls.CallsCompleted);
        Assert.Equal(calls.CallsAnswered, calls.ByeResponses.GetValueOrDefault("200"));
        Assert.Equal(0, calls.CallsLeftUp);
        Assert.Equal(40, calls.Unregistered);
        Assert.True(registrar.RegisteredUsers == 0, $"{registrar.RegisteredUsers} bindings left at the registrar");
        Assert.Contains("interrupted", result.Output, StringComparison.Ordinal);
    }
}
