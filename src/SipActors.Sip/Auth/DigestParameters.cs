using System.Diagnostics.CodeAnalysis;

namespace SipActors.Sip.Auth;

/// <summary>
/// Reads the <c>Digest name=token, name="quoted"</c> list shared by challenges and credentials
/// (RFC 7616 §3.3/§3.4, RFC 3261 §25.1 auth-param) into a dictionary, through
/// <see cref="DigestParameterReader"/>. Never throws: a malformed value gives false and an error
/// naming the problem, with any quoted input escaped and cut short.
/// </summary>
internal static class DigestParameters
{
    /// <summary>
    /// Longest value read. Real challenges are a few hundred characters; the cap keeps a hostile
    /// peer from making us copy megabytes, while staying far above any server seen in practice.
    /// </summary>
    public const int MaxLength = 8192;

    /// <summary>Every parameter in a dictionary (names in any case): what a verifier reads of credentials. A challenge is read field by field instead (<see cref="DigestChallenge"/>).</summary>
    public static bool TryParse(string? headerValue, [NotNullWhen(true)] out Dictionary<string, string>? parameters, [NotNullWhen(false)] out string? error)
    {
        parameters = null;
        if (!DigestParameterReader.TryStart(headerValue, out var reader, out error))
        {
            return false;
        }
        var result = new Dictionary<string, string>(8, StringComparer.OrdinalIgnoreCase);
        while (reader.TryNext(out var name, out var value, out error))
        {
            if (!result.TryAdd(name.ToString(), value.ToString()))
            {
                error = $"parameter '{DigestSyntax.Excerpt(name)}' appears more than once";
                return false;
            }
        }
        if (error is not null)
        {
            return false;
        }
        parameters = result;
        return true;
    }
}
