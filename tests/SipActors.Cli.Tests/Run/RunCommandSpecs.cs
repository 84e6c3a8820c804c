using System.Net;
using System.Text.Json;
using SipActors.Sip.Registrar;

namespace SipActors.Cli.Tests.Run;

/// <summary><c>sipactors run</c> end to end against an embedded registrar started by the test.</summary>
[Collection(NetworkCollection.Name)]
public sealed class RunCommandSpecs : IAsyncLifetime
{
    private readonly TempFiles _files = new();
    private EmbeddedRegistrar _registrar = null!;

    public Task InitializeAsync()
    {
        _registrar = EmbeddedRegistrar.Start(new EmbeddedRegistrarOptions { UdpEndPoint = new IPEndPoint(IPAddress.Loopback, 0) });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _registrar.DisposeAsync();
        _files.Dispose();
    }

    [Fact]
    public async Task Should_print_the_events_of_every_account_until_stopped_then_disconnect_them()
    {
        var config = WriteConfig(("alice", "pw-alice"), ("bob", "pw-bob"));
        using var stop = new CancellationTokenSource();

        var run = CliInvocation.RunAsync(["run", "--config", config], stop.Token);
        await WaitUntilAsync(() => _registrar.RegisteredUsers == 2, run);
        await stop.CancelAsync();
        var result = await run.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var account in new[] { "alice", "bob" })
        {
            var registered = Array.FindIndex(lines, l => l.Contains($" connection:registered {account} 200", StringComparison.Ordinal));
            var unregistered = Array.FindIndex(lines, l => l.Contains($" connection:unregistered {account} 200", StringComparison.Ordinal));
            var disconnected = Array.FindIndex(lines, l => l.Contains($" connection:disconnected {account}", StringComparison.Ordinal));
            Assert.True(registered >= 0 && unregistered > registered && disconnected > unregistered, result.ToString());
        }
        Assert.All(lines, l => Assert.Matches(@"^\d\d:\d\d:\d\d\.\d{3} connection:[\w-]+ (alice|bob)", l));
        Assert.DoesNotContain("pw-", result.Output, StringComparison.Ordinal);
        Assert.Equal(0, _registrar.RegisteredUsers);
    }

    [Fact]
    public async Task Should_print_one_json_object_per_line_with_json()
    {
        var config = WriteConfig(("alice", "pw-alice"), ("bob", "pw-bob"));
        using var stop = new CancellationTokenSource();

        var run = CliInvocation.RunAsync(["run", "--config", config, "--json"], stop.Token);
        await WaitUntilAsync(() => _registrar.RegisteredUsers == 2, run);
        await stop.CancelAsync();
        var result = await run.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 0, result.ToString());
        var topics = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line =>
            {
                using var document = JsonDocument.Parse(line);
                return document.RootElement.GetProperty("topic").GetString();
            })
            .ToList();
        Assert.Equal(2, topics.Count(t => t == "connection:registered"));
        Assert.Equal(2, topics.Count(t => t == "connection:unregistered"));
        Assert.Equal(2, topics.Count(t => t == "connection:disconnected"));
    }

    [Fact]
    public async Task Should_exit_1_when_a_connect_failed_with_exit_on_failure()
    {
        var config = WriteConfig(("alice", "pw-alice"), ("bob", "wrong"));

        var result = await CliInvocation.RunAsync(["run", "--config", config, "--exit-on-failure"]).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("connection:connect-failed bob Authentication Error", result.Output, StringComparison.Ordinal);
        Assert.Contains("bob", result.Error, StringComparison.Ordinal);
    }

    private string WriteConfig(params (string User, string Password)[] accounts)
    {
        var server = $"udp://{_registrar.UdpEndPoint}";
        var items = accounts.Select(a =>
            $"{{ id = {a.User}, sip-server-ip = 127.0.0.1, sip-server-url = \"{server}\", register = true, user = {a.User}, password = \"{a.Password}\" }}");
        return _files.Write("run.hocon", $"sip-actors {{\n  accounts = [\n    {string.Join("\n    ", items)}\n  ]\n}}\n");
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Task run)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.False(run.IsCompleted, "the run ended before the condition held");
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 20 s");
            await Task.Delay(50);
        }
    }
}
