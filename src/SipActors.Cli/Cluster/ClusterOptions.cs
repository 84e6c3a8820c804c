using System.CommandLine;
using System.CommandLine.Parsing;
using Akka.Configuration;
using SipActors.Cluster;

namespace SipActors.Cli.Cluster;

/// <summary>
/// <c>--cluster HOST:PORT</c> (this node's address), <c>--seed HOST:PORT</c> (repeatable; the
/// first seed forms the cluster) and <c>--allow-non-loopback</c>, shared by <c>node</c>,
/// <c>load --cluster</c> and <c>events</c>. Loopback only unless asked: a cluster carries the
/// accounts' passwords between its nodes (the account definitions), over plain TCP.
/// </summary>
internal sealed record ClusterOptions(Option<string> Cluster, Option<string[]> Seed, Option<bool> AllowNonLoopback)
{
    /// <summary>Akka's settings for every cluster command: quiet logging, on standard error (standard output carries the command's own lines).</summary>
    private const string CommandConfig = "akka.loglevel = WARNING\n" + StandardErrorLogger.Config;

    public IEnumerable<Option> All => [Cluster, Seed, AllowNonLoopback];

    /// <param name="required">Whether the command is a cluster command (<c>node</c>, <c>events</c>), or <c>--cluster</c> switches it to one (<c>load</c>).</param>
    public static ClusterOptions Create(bool required)
    {
        var cluster = new Option<string>("--cluster")
        {
            Description = required
                ? "This node's address in the cluster: HOST:PORT to listen on (127.0.0.1:0 picks a free port)."
                : "Run as the coordinator of a cluster of 'sipactors node' processes, listening on HOST:PORT (127.0.0.1:0 picks a free port): it hosts no accounts, places them on the nodes and reports.",
            HelpName = "HOST:PORT",
            Required = required,
        };
        var seed = new Option<string[]>("--seed")
        {
            Description = "A seed node's HOST:PORT, repeatable. The first seed forms the cluster (give a node its own address as the first seed); the others join through any seed that answers.",
            HelpName = "HOST:PORT",
            AllowMultipleArgumentsPerToken = false,
        };
        var allow = new Option<bool>("--allow-non-loopback")
        {
            Description = "Allow cluster addresses that are not loopback. The nodes exchange the accounts' passwords over unencrypted TCP: a trusted network only.",
        };
        cluster.Validators.Add(r => Check(r, "--cluster", allowAnyPort: true));
        seed.Validators.Add(r => Check(r, "--seed", allowAnyPort: false));
        return new ClusterOptions(cluster, seed, allow);
    }

    /// <summary>Adds the options and the checks that need more than one of them.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in All)
        {
            command.Options.Add(option);
        }
        command.Validators.Add(r =>
        {
            var given = r.GetResult(Cluster) is { Implicit: false };
            var seeds = r.GetResult(Seed) is { Implicit: false, Tokens.Count: > 0 };
            if (!given)
            {
                // A command that requires --cluster says so itself.
                if (seeds && !Cluster.Required)
                {
                    r.AddError("--seed needs --cluster HOST:PORT: the address this node listens on");
                }
                return;
            }
            if (!seeds)
            {
                r.AddError("--cluster needs at least one --seed HOST:PORT (a node forming a new cluster gives its own address)");
            }
            if (r.GetValue(AllowNonLoopback))
            {
                return;
            }
            var endpoints = new[] { ("--cluster", r.GetValue(Cluster)) }.Concat((r.GetValue(Seed) ?? []).Select(s => ("--seed", (string?)s)));
            foreach (var (name, text) in endpoints)
            {
                if (ClusterEndpoint.TryParse(text, allowAnyPort: true, out var endpoint, out _) && !endpoint.IsLoopback)
                {
                    r.AddError($"{name} {endpoint}: not a loopback address. The nodes exchange the accounts' passwords over unencrypted TCP; add --allow-non-loopback to run a cluster over a trusted network");
                }
            }
        });
    }

    /// <summary>Whether <c>--cluster</c> was given (for <c>load</c>: whether it runs as a coordinator).</summary>
    public bool IsGiven(ParseResult result) => result.GetResult(Cluster) is { Implicit: false };

    public ClusterEndpoint Self(ParseResult result) => Parse(result.GetValue(Cluster));

    public IReadOnlyList<ClusterEndpoint> Seeds(ParseResult result) => [.. (result.GetValue(Seed) ?? []).Select(Parse)];

    /// <summary>
    /// The node's HOCON: its address, roles and seeds first, then <paramref name="file"/> (a
    /// <c>--config</c> file), then the commands' logging, then the cluster defaults.
    /// </summary>
    public Config NodeConfig(ParseResult result, IEnumerable<string> roles, Config? file)
    {
        var self = Self(result);
        var config = SipClusterConfig.NodeAddress(self.Host, self.Port, roles, Seeds(result).Select(s => s.AkkaAddress));
        if (file is not null)
        {
            config = config.WithFallback(file);
        }
        return config.WithFallback(ConfigurationFactory.ParseString(CommandConfig)).WithFallback(SipClusterConfig.Defaults);
    }

    private static ClusterEndpoint Parse(string? text)
        => ClusterEndpoint.TryParse(text, allowAnyPort: true, out var endpoint, out var error) ? endpoint : throw new CliUsageException($"'{text}' {error}");

    private static void Check(OptionResult r, string name, bool allowAnyPort)
    {
        foreach (var token in r.Tokens)
        {
            if (!ClusterEndpoint.TryParse(token.Value, allowAnyPort, out _, out var error))
            {
                r.AddError($"{name} '{token.Value}' {error}");
            }
        }
    }
}
