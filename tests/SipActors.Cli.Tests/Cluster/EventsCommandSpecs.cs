using System.Text.Json;

namespace SipActors.Cli.Tests.Cluster;

/// <summary>
/// <c>sipactors events</c>: an observer started before a <c>load --cluster</c> run prints every
/// account's events from every node, each with the account's sequence number on its node.
/// </summary>
[Collection(NetworkCollection.Name)]
public sealed class EventsCommandSpecs : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private const int Accounts = 30;
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Should_print_every_accounts_events_of_every_node_with_gap_free_sequence_numbers()
    {
        var seed = RunningCommand.FreePort();
        var config = _files.Write("cluster.hocon", "sip-actors.cluster.slices = 16\n");
        await using var first = RunningCommand.Start("node", "--cluster", $"127.0.0.1:{seed}", "--seed", $"127.0.0.1:{seed}", "--config", config);
        await using var second = RunningCommand.Start("node", "--cluster", "127.0.0.1:0", "--seed", $"127.0.0.1:{seed}", "--config", config);
        await first.WaitForLineAsync(l => l.Contains("member up", StringComparison.Ordinal) && !l.Contains("(this node)", StringComparison.Ordinal), Bound);
        await using var lines = RunningCommand.Start("events", "--cluster", "127.0.0.1:0", "--seed", $"127.0.0.1:{seed}");
        await using var json = RunningCommand.Start("events", "--cluster", "127.0.0.1:0", "--seed", $"127.0.0.1:{seed}", "--json", "--topic", "connection:registered");
        foreach (var observer in new[] { lines, json })
        {
            await WaitUntilReceivingFromTwoNodesAsync(observer);
        }

        var load = await CliInvocation.RunAsync(["load", "--cluster", "127.0.0.1:0", "--seed", $"127.0.0.1:{seed}", "--min-nodes", "2", "--config", config,
            "--accounts", Accounts.ToString(System.Globalization.CultureInfo.InvariantCulture), "--plain"]).WaitAsync(Bound);
        Assert.True(load.ExitCode == 0, load.ToString());
        await WaitForAsync(() => Count(lines, "connection:unregistered") == Accounts && Count(json, "connection:registered") == Accounts, lines);
        Assert.Equal(0, await lines.StopAsync(Bound));
        Assert.Equal(0, await json.StopAsync(Bound));

        // Lines: time node topic account #sequence summary; per account and node the sequence runs 1, 2, 3...
        var events = lines.Output.Lines().Select(l => l.Split(' ')).Where(p => p.Length >= 5 && p[2].StartsWith("connection:", StringComparison.Ordinal)).ToList();
        Assert.All(events, p => Assert.StartsWith("#", p[4], StringComparison.Ordinal));
        var perAccount = events.GroupBy(p => (Node: p[1], Account: p[3])).ToList();
        Assert.Equal(Accounts, perAccount.Select(g => g.Key.Account).Distinct().Count());
        Assert.All(perAccount, g => Assert.Equal(Enumerable.Range(1, g.Count()), g.Select(p => int.Parse(p[4][1..], System.Globalization.CultureInfo.InvariantCulture)).Order()));
        Assert.All(perAccount, g => Assert.Single(g, p => p[2] == "connection:registered"));
        Assert.Equal(2, perAccount.Select(g => g.Key.Node).Distinct().Count());
        Assert.Contains(lines.Error.Lines(), l => l.Contains($"events printed, 0 missing by their sequence numbers", StringComparison.Ordinal));

        // JSON, one topic: node and sequence first, then the event's own fields.
        var objects = json.Output.Lines().Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(Accounts, objects.Count);
        Assert.All(objects, o =>
        {
            Assert.Equal("connection:registered", o.GetProperty("topic").GetString());
            Assert.StartsWith("akka.tcp://sipactors@127.0.0.1:", o.GetProperty("node").GetString(), StringComparison.Ordinal);
            Assert.True(o.GetProperty("sequence").GetInt64() >= 1);
        });
        Assert.Equal(Accounts, objects.Select(o => o.GetProperty("account").GetString()).Distinct().Count());
    }

    private static int Count(RunningCommand observer, string topic)
        => observer.Output.Lines().Count(l => l.Contains(topic, StringComparison.Ordinal));

    private static async Task WaitUntilReceivingFromTwoNodesAsync(RunningCommand observer)
    {
        await WaitForAsync(() => observer.Error.Lines().Count(l => l.Contains("receiving the events of", StringComparison.Ordinal)) >= 2, observer);
    }

    private static async Task WaitForAsync(Func<bool> condition, RunningCommand observer)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within {Bound.TotalSeconds:0} s:\n{observer}");
            await Task.Delay(100);
        }
    }
}
