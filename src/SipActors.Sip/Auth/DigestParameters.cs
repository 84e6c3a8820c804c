using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace SipActors.Sip.Auth;

/// <summary>
/// Reads the <c>Digest name=value, name="quoted"</c> list shared by challenges and credentials
/// (RFC 7616 §3.3/§3.4, RFC 3261 §25.1 auth-param). Never throws.
/// </summary>
internal static class DigestParameters
{
    public static bool TryParse(string headerValue, [NotNullWhen(true)] out Dictionary<string, string>? parameters, [NotNullWhen(false)] out string? error)
    {
        parameters = null;
        var text = headerValue.AsSpan().Trim();
        var space = text.IndexOfAny(' ', '\t');
        var scheme = space < 0 ? text : text[..space];
        if (!scheme.Equals("Digest", StringComparison.OrdinalIgnoreCase))
        {
            error = $"scheme '{Cut(scheme)}' is not Digest";
            return false;
        }
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var rest = space < 0 ? ReadOnlySpan<char>.Empty : text[(space + 1)..];
        while (true)
        {
            rest = rest.TrimStart(" \t,");
            if (rest.IsEmpty)
            {
                break;
            }
            var eq = rest.IndexOf('=');
            if (eq <= 0)
            {
                error = $"parameter '{Cut(rest)}' has no value";
                return false;
            }
            var name = rest[..eq].Trim();
            if (name.ContainsAny(" \t\",;"))
            {
                error = $"'{Cut(name)}' is not a parameter name";
                return false;
            }
            rest = rest[(eq + 1)..].TrimStart(" \t");
            string value;
            if (!rest.IsEmpty && rest[0] == '"')
            {
                var sb = new StringBuilder();
                var i = 1;
                var closed = false;
                for (; i < rest.Length; i++)
                {
                    var c = rest[i];
                    if (c == '\\' && i + 1 < rest.Length)
                    {
                        sb.Append(rest[++i]);
                    }
                    else if (c == '"')
                    {
                        closed = true;
                        break;
                    }
                    else
                    {
                        sb.Append(c);
                    }
                }
                if (!closed)
                {
                    error = $"the quoted value of '{Cut(name)}' is not terminated";
                    return false;
                }
                value = sb.ToString();
                rest = rest[(i + 1)..].TrimStart(" \t");
                if (!rest.IsEmpty && rest[0] != ',')
                {
                    error = $"junk after the value of '{Cut(name)}'";
                    return false;
                }
            }
            else
            {
                var end = rest.IndexOf(',');
                value = (end < 0 ? rest : rest[..end]).Trim().ToString();
                rest = end < 0 ? ReadOnlySpan<char>.Empty : rest[end..];
                if (value.Length == 0 || value.AsSpan().ContainsAny(" \t\""))
                {
                    error = $"'{Cut(name)}' has an invalid token value";
                    return false;
                }
            }
            if (!result.TryAdd(name.ToString(), value))
            {
                error = $"parameter '{Cut(name)}' appears twice";
                return false;
            }
        }
        parameters = result;
        error = null;
        return true;
    }

    private static string Cut(ReadOnlySpan<char> text) => (text.Length > 24 ? text[..24] : text).ToString();
}
