using System.Net;
using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;
using SipActors.Calls;
using SipActors.Connections;
using SipActors.Sip.Registrar;
using SipActors.Sip.UserAgents;

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
    public async Task Should_print_the_calls_the_accounts_receive_with_json()
    {
        // Arrange: bob auto-answers and carol rejects under the run; alice calls them from the test's own stack
        var config = WriteConfig(("bob", "pw-bob", "incoming-calls = auto-answer"), ("carol", "pw-carol", "incoming-calls = reject"));
        using var stop = new CancellationTokenSource();
        var output = new ConcurrentStringWriter();
        var error = new StringWriter();
        var run = Program.RunAsync(["run", "--config", config, "--json"], output, error, stop.Token);
        await WaitUntilAsync(() => _registrar.RegisteredUsers == 2, run);
        var caller = ActorSystem.Create("caller", ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
        var stack = new SipStack();
        string bobCallId;
        try
        {
            var alice = caller.ActorOf(ConnectionActor.Props("alice", stack), "alice");
            var connected = await alice.Ask<CommandResult>(new Connect("alice", new ConnectionParameters
            {
                SipServerIp = "127.0.0.1",
                SipServerUrl = $"udp://{_registrar.UdpEndPoint}",
                Register = true,
                User = "alice",
                Password = "pw-alice",
            }), TimeSpan.FromSeconds(20));
            Assert.True(connected.IsSuccess, connected.Error);

            // Act: a call bob answers, then alice hangs up; a call carol rejects
            var toBob = await alice.Ask<CommandResult>(new Call("alice", "sip:bob@127.0.0.1"), TimeSpan.FromSeconds(20));
            Assert.True(toBob.Status == CommandStatus.Ok, toBob.Error);
            bobCallId = toBob.Session!.CallId;
            await WaitUntilAsync(() => Events(output).Any(e => e.Account == "bob" && e.Topic == "session:confirmed"), run);
            Assert.Equal(CommandStatus.Ok, (await alice.Ask<CommandResult>(new HangUp("alice", bobCallId), TimeSpan.FromSeconds(20))).Status);
            await WaitUntilAsync(() => Events(output).Any(e => e.Account == "bob" && e.Topic == "session:ended"), run);
            Assert.True((await alice.Ask<CommandResult>(new Call("alice", "sip:carol@127.0.0.1"), TimeSpan.FromSeconds(20))).IsSuccess);
            await WaitUntilAsync(() => Events(output).Any(e => e.Account == "carol" && e.Topic == "session:ended"), run);
            await alice.Ask<CommandResult>(new Disconnect("alice"), TimeSpan.FromSeconds(20));
        }
        finally
        {
            await caller.Terminate();
            await stack.DisposeAsync();
        }
        await stop.CancelAsync();
        var exitCode = await run.WaitAsync(TimeSpan.FromSeconds(60));

        // Assert: each callee's newRTCSession, then its session:* steps, all of one Call-ID
        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        var events = Events(output);
        var bob = events.Where(e => e.Account == "bob" && IsCall(e.Topic)).ToList();
        Assert.Equal(["connection:newRTCSession", "session:answered", "session:confirmed", "session:ended"], bob.Select(e => e.Topic));
        Assert.All(bob, e => Assert.Equal(bobCallId, e.Json.GetProperty("callId").GetString()));
        Assert.Equal("remote", bob[0].Json.GetProperty("originator").GetString());
        Assert.Equal(("Terminated", "remote"), (bob[3].Json.GetProperty("cause").GetString(), bob[3].Json.GetProperty("originator").GetString()));
        var carol = events.Where(e => e.Account == "carol" && IsCall(e.Topic)).ToList();
        Assert.Equal(["connection:newRTCSession", "session:ended"], carol.Select(e => e.Topic));
        Assert.Equal(("Busy", 486), (carol[1].Json.GetProperty("cause").GetString(), carol[1].Json.GetProperty("status").GetInt32()));
        Assert.DoesNotContain(events, e => e.Account == "alice");
        Assert.DoesNotContain("pw-", output.ToString(), StringComparison.Ordinal);
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
        => WriteConfig([.. accounts.Select(a => (a.User, a.Password, ""))]);

    /// <summary>A run file with one account per entry; <c>Extra</c> adds HOCON keys to that account.</summary>
    private string WriteConfig(params (string User, string Password, string Extra)[] accounts)
    {
        var server = $"udp://{_registrar.UdpEndPoint}";
        var items = accounts.Select(a =>
            $"{{ id = {a.User}, sip-server-ip = 127.0.0.1, sip-server-url = \"{server}\", register = true, user = {a.User}, password = \"{a.Password}\"{(a.Extra.Length == 0 ? "" : ", " + a.Extra)} }}");
        return _files.Write("run.hocon", $"sip-actors {{\n  accounts = [\n    {string.Join("\n    ", items)}\n  ]\n}}\n");
    }

    private static bool IsCall(string topic) => topic == "connection:newRTCSession" || topic.StartsWith("session:", StringComparison.Ordinal);

    /// <summary>The complete JSON lines printed so far, as topic, account and the object.</summary>
    private static List<(string Topic, string Account, JsonElement Json)> Events(ConcurrentStringWriter output)
        => [.. output.Lines().Select(line =>
        {
            var json = JsonSerializer.Deserialize<JsonElement>(line);
            return (json.GetProperty("topic").GetString()!, json.GetProperty("account").GetString()!, json);
        })];

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
