using System.Text.RegularExpressions;

namespace SipActors.Sip.Tests.Auth;

/// <summary>Reads parameters out of a produced Authorization value without the library's own parser.</summary>
internal static partial class AuthorizationValue
{
    [GeneratedRegex("""(?:^Digest |, )(?<name>[A-Za-z*-]+)=(?:"(?<quoted>(?:[^"\\]|\\.)*)"|(?<token>[^,]*))""")]
    private static partial Regex Parameter();

    public static IReadOnlyList<string> Names(string value)
    {
        var names = new List<string>();
        foreach (Match m in Parameter().Matches(value))
        {
            names.Add(m.Groups["name"].Value);
        }
        return names;
    }

    /// <summary>The value of <paramref name="name"/> with quotes and escapes removed, or null when absent.</summary>
    public static string? Get(string value, string name)
    {
        foreach (Match m in Parameter().Matches(value))
        {
            if (m.Groups["name"].Value == name)
            {
                return m.Groups["quoted"].Success
                    ? Regex.Replace(m.Groups["quoted"].Value, @"\\(.)", "$1")
                    : m.Groups["token"].Value;
            }
        }
        return null;
    }

    public static string Require(string value, string name)
        => Get(value, name) ?? throw new Xunit.Sdk.XunitException($"{name} missing in {value}");
}
