using System.Diagnostics.CodeAnalysis;

namespace SipActors.Sip.Auth;

/// <summary>One WWW-Authenticate or Proxy-Authenticate value with the Digest scheme (RFC 7616 §3.3, RFC 3261 §22.4).</summary>
public sealed class DigestChallenge
{
    private DigestChallenge(string realm, string nonce)
    {
        Realm = realm;
        Nonce = nonce;
    }

    public string Realm { get; }
    public string Nonce { get; }
    public string? Opaque { get; private init; }

    /// <summary>The algorithm; MD5 when the challenge names none (RFC 7616 §3.3).</summary>
    public DigestAlgorithm Algorithm { get; private init; }

    /// <summary>The algorithm token as sent, or null when absent.</summary>
    public string? AlgorithmName { get; private init; }

    /// <summary>False when the challenge names an algorithm we do not implement.</summary>
    public bool IsSupported { get; private init; } = true;

    /// <summary>The qop options offered ("auth", "auth-int"); empty for an RFC 2069 style challenge.</summary>
    public IReadOnlyList<string> Qop { get; private init; } = [];

    /// <summary>True when the server refused only the nonce, not the credentials: retry with the new nonce.</summary>
    public bool Stale { get; private init; }

    public string? Domain { get; private init; }
    public string? Charset { get; private init; }

    /// <summary>True when the server asks for the username to be hashed (RFC 7616 §3.4.4).</summary>
    public bool UserHash { get; private init; }

    /// <summary>Reads a challenge. Never throws: a malformed value gives false and an error naming the problem.</summary>
    public static bool TryParse(string headerValue, [NotNullWhen(true)] out DigestChallenge? challenge, [NotNullWhen(false)] out string? error)
    {
        challenge = null;
        if (string.IsNullOrWhiteSpace(headerValue))
        {
            error = "the challenge is empty";
            return false;
        }
        if (!DigestParameters.TryParse(headerValue, out var parameters, out error))
        {
            return false;
        }

        if (!parameters.TryGetValue("realm", out var realm))
        {
            error = "the challenge has no realm";
            return false;
        }
        if (!parameters.TryGetValue("nonce", out var nonce) || nonce.Length == 0)
        {
            error = "the challenge has no nonce";
            return false;
        }
        parameters.TryGetValue("algorithm", out var algorithmName);
        var algorithm = algorithmName is null ? DigestAlgorithm.Md5 : DigestAlgorithms.FromToken(algorithmName);
        var qop = parameters.TryGetValue("qop", out var qopText)
            ? qopText.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            : [];
        challenge = new DigestChallenge(realm, nonce)
        {
            Opaque = parameters.GetValueOrDefault("opaque"),
            Algorithm = algorithm ?? DigestAlgorithm.Md5,
            AlgorithmName = algorithmName,
            IsSupported = algorithm is not null,
            Qop = qop,
            Stale = string.Equals(parameters.GetValueOrDefault("stale"), "true", StringComparison.OrdinalIgnoreCase),
            Domain = parameters.GetValueOrDefault("domain"),
            Charset = parameters.GetValueOrDefault("charset"),
            UserHash = string.Equals(parameters.GetValueOrDefault("userhash"), "true", StringComparison.OrdinalIgnoreCase),
        };
        error = null;
        return true;
    }

    /// <summary>
    /// The first Digest challenge whose algorithm we support, in the order the server sent them
    /// (its order of preference, RFC 8760 §2.4); values that do not parse are skipped.
    /// </summary>
    public static DigestChallenge? SelectFirstSupported(IEnumerable<string> headerValues)
    {
        ArgumentNullException.ThrowIfNull(headerValues);
        foreach (var value in headerValues)
        {
            if (TryParse(value, out var challenge, out _) && challenge.IsSupported)
            {
                return challenge;
            }
        }
        return null;
    }

    public override string ToString()
        => $"Digest realm=\"{Realm}\", algorithm={AlgorithmName ?? "MD5"}, qop=\"{string.Join(',', Qop)}\", stale={(Stale ? "true" : "false")}";

}
