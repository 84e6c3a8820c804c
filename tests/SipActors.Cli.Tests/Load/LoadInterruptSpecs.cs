using System.Net;
using SipActors.Cli.Load;
using SipActors.Sip.Registrar;

namespace SipActors.Cli.Tests.Load;

/// <summary>
/// Ctrl+C in the middle of a ramp: accounts whose REGISTER is in flight at that moment were neither
/// counted registered nor un-registered, and their bindings stayed at the server.
/// </summary>
[Collection(NetworkCollection.Name)]
public sealed class LoadInterruptSpecs : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Should_leave_no_binding_when_interrupted_mid_ramp()
    {
        // The window is narrow (a REGISTER answered just before its account takes the Disconnect),
        // so the ramp is interrupted three times; each must leave the registrar empty.
        for (var round = 1; round <= 3; round++)
        {
            await using var registrar = EmbeddedRegistrar.Start(new EmbeddedRegistrarOptions { UdpEndPoint = new IPEndPoint(IPAddress.Loopback, 0) });
            var reportPath = _files.PathOf($"report-{round}.json");
            using var stop = new CancellationTokenSource();

            var run = CliInvocation.RunAsync(["load", "--server", $"udp://{registrar.UdpEndPoint}", "--accounts", "4000", "--concurrency", "200",
                "--report", reportPath], stop.Token);
            await WaitUntilAsync(() => registrar.SuccessfulRegistrations >= 1000, run);
            await stop.CancelAsync();
            var result = await run.WaitAsync(TimeSpan.FromSeconds(120));

            Assert.True(result.ExitCode == 1, result.ToString());
            var report = LoadReportJson.Deserialize(File.ReadAllText(reportPath))!;
            Assert.True(report.Interrupted);
            Assert.True(report.Registered < 4000, $"the ramp was cut short: {report.Registered} registered");
            // Every binding made, whether or not its account heard the 200, is removed by the end of the run.
            Assert.True(registrar.RegisteredUsers == 0,
                $"round {round}: {registrar.RegisteredUsers} bindings left after the run ({report.Registered} registered, {report.Unregistered} un-registered)");
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Task run)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            Assert.False(run.IsCompleted, "the run ended before the condition held");
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 60 s");
            await Task.Delay(20);
        }
    }
}
