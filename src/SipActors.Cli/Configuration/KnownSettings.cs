using Akka.Configuration;
using Akka.Configuration.Hocon;
using SipActors.Configuration;

namespace SipActors.Cli.Configuration;

/// <summary>
/// Finds the keys of a user's <c>sip-actors</c> section that no setting reads: a misspelt key
/// (<c>pasword</c>, <c>register-expire</c>) would otherwise be ignored in silence and the run
/// go on with the default, or fail later for a reason that does not name the typo.
/// </summary>
internal static class KnownSettings
{
    /// <summary>
    /// The keys of one <c>sip-actors.accounts</c> entry: what <see cref="SipActorsSettings"/> reads
    /// for an account (its ReadAccounts). A test parses an entry with every one of them.
    /// </summary>
    public static readonly IReadOnlySet<string> AccountKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        "id", "sip-server-ip", "sip-server-url", "display-name", "register", "user", "password", "remote-address",
        "user-agent", "session-timers", "retry-connect", "auth-user", "incoming-calls", "answer-sdp", "no-answer-timeout",
        "register-expires", "extra-headers",
    };

    /// <summary>Every setting under <c>sip-actors</c> that SipActors' defaults define: config.hocon's, and cluster.hocon's <c>sip-actors.cluster</c> (node, load --cluster).</summary>
    private static readonly IReadOnlySet<string> SettingKeys = Leaves(SipActors.Cluster.SipClusterConfig.Defaults.GetConfig("sip-actors"));

    /// <summary>
    /// Throws <see cref="CliUsageException"/> for the first unknown key of <paramref name="config"/>'s
    /// <c>sip-actors</c> section, naming the file, the key and the nearest known one. Values are never quoted.
    /// </summary>
    public static void Check(Config config, string source)
    {
        var section = config.GetConfig("sip-actors");
        if (section is null || section.IsEmpty)
        {
            return;
        }
        foreach (var key in Leaves(section))
        {
            if (!SettingKeys.Contains(key) && !key.StartsWith("accounts", StringComparison.Ordinal))
            {
                throw new CliUsageException($"{source}: sip-actors.{key} is not a known setting{Suggest(key, SettingKeys, "sip-actors.")}");
            }
        }
        var accounts = section.GetValue("accounts");
        if (accounts is null || !accounts.IsArray())
        {
            return;
        }
        var list = accounts.GetArray();
        for (var i = 0; i < list.Count; i++)
        {
            if (!list[i].IsObject())
            {
                continue; // SipActorsSettings says what is wrong with an entry that is not an object
            }
            foreach (var key in list[i].GetObject().Items.Keys)
            {
                if (!AccountKeys.Contains(key))
                {
                    throw new CliUsageException($"{source}: sip-actors.accounts[{i}].{key} is not a known account setting{Suggest(key, AccountKeys, "")}");
                }
            }
        }
    }

    private static HashSet<string> Leaves(Config? section)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        if (section?.Root is { } root && root.IsObject())
        {
            Collect(root.GetObject(), "", keys);
        }
        return keys;
    }

    private static void Collect(HoconObject node, string prefix, HashSet<string> keys)
    {
        foreach (var (name, value) in node.Items)
        {
            var path = prefix + name;
            // accounts is a list of objects, each checked against AccountKeys.
            if (value.IsObject() && path != "accounts")
            {
                Collect(value.GetObject(), path + ".", keys);
            }
            else
            {
                keys.Add(path);
            }
        }
    }

    /// <summary>" (did you mean X?)" for a known key at most two edits away, else nothing.</summary>
    private static string Suggest(string key, IEnumerable<string> known, string prefix)
    {
        var best = known.Select(k => (Key: k, Distance: Distance(key, k))).Where(k => k.Distance <= 2).OrderBy(k => k.Distance).ThenBy(k => k.Key, StringComparer.Ordinal).FirstOrDefault();
        return best.Key is null ? "" : $" (did you mean {prefix}{best.Key}?)";
    }

    /// <summary>Levenshtein distance: the keys are short, the table is small.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), substitution);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
