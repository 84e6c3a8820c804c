using System.Net;
using SipActors.Cli.Load;
using SipActors.Sip.Registrar;

namespace SipActors.Cli.Tests.Load;

/// <summary>
/// A registrar that goes away during the hold and comes back: the report must show the
/// registrations lost and re-made, not "registered" as it stood at the end of the ramp.
/// </summary>
[Collection(NetworkCollection.Name)]
public sealed class LoadOutageSpecs : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Should_report_registrations_lost_and_back_after_a_registrar_restart()
    {
        var first = EmbeddedRegistrar.Start(new EmbeddedRegistrarOptions { TcpEndPoint = new IPEndPoint(IPAddress.Loopback, 0) });
        var tcp = first.TcpEndPoint!;
        var reportPath = _files.PathOf("report.json");
        var output = new ConcurrentStringWriter();
        var error = new ConcurrentStringWriter();

        var run = Program.RunAsync(["load", "--server", $"tcp://{tcp}", "--accounts", "20", "--duration", "15", "--plain", "--report", reportPath], output, error);
        await WaitUntilAsync(() => first.RegisteredUsers == 20, run);
        // The TCP flows close under registered accounts; a new registrar on the same port takes their recovery.
        await first.DisposeAsync();
        await using var second = EmbeddedRegistrar.Start(new EmbeddedRegistrarOptions { TcpEndPoint = tcp });
        var code = await run.WaitAsync(TimeSpan.FromSeconds(90));

        var result = $"exit {code}\n{output}\n{error}";
        var report = LoadReportJson.Deserialize(File.ReadAllText(reportPath))!;
        Assert.Equal(20, report.Registered);
        Assert.Equal(20, report.Losses);
        Assert.Equal(20, report.Reregistrations);
        Assert.Equal(20, report.RegisteredAtHoldEnd);
        Assert.Contains(report.Timeline, p => p.Registered == 20 && p.RegisteredNow < 20);
        Assert.Contains(report.Timeline, p => p.RegisteredNow == 20 && p.Reregistrations == 20);
        Assert.Contains("lost 20", output.ToString(), StringComparison.Ordinal);
        Assert.True(code == 0, result);
        Assert.Equal(0, second.RegisteredUsers);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Task run)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.False(run.IsCompleted, "the run ended before the condition held");
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 30 s");
            await Task.Delay(50);
        }
    }
}
