using System.Diagnostics.CodeAnalysis;

namespace SipActors.Sip.Auth;

/// <summary>
/// One parsed WWW-Authenticate or Proxy-Authenticate value with the Digest scheme
/// (RFC 7616 §3.3, RFC 3261 §22.4 and §25.1). A 401 and a 407 challenge parse the same way;
/// which header the answer goes in is the caller's concern.
/// </summary>
public sealed class DigestChallenge
{
    private DigestChallenge(string realm, string nonce)
    {
        Realm = realm;
        Nonce = nonce;
    }

    /// <summary>The protection space, echoed in the answer and part of A1.</summary>
    public string Realm { get; }

    /// <summary>The server nonce. Answers to the same nonce carry an increasing nc.</summary>
    public string Nonce { get; }

    /// <summary>Opaque server data to echo unchanged, or null when the challenge had none.</summary>
    public string? Opaque { get; private init; }

    /// <summary>The algorithm; <see cref="DigestAlgorithm.Md5"/> when the challenge names none (RFC 7616 §3.3).
    /// Meaningless when <see cref="IsSupported"/> is false because of an unknown algorithm.</summary>
    public DigestAlgorithm Algorithm { get; private init; }

    /// <summary>The algorithm token as sent, or null when absent.</summary>
    public string? AlgorithmName { get; private init; }

    /// <summary>The qop options offered, as sent (e.g. "auth", "auth-int"); empty for an RFC 2069 style challenge.</summary>
    public IReadOnlyList<string> Qop { get; private init; } = [];

    /// <summary>True when the server refused only the nonce, not the credentials: answer again with the new nonce.</summary>
    public bool Stale { get; private init; }

    /// <summary>The space-separated URIs of the protection space, or null.</summary>
    public string? Domain { get; private init; }

    /// <summary>True when the server asks for the username to be hashed (RFC 7616 §3.4.4).</summary>
    public bool UserHash { get; private init; }

    /// <summary>The charset parameter (RFC 7616 §4: only "UTF-8" is defined), or null. SIP is UTF-8 throughout, so it changes nothing.</summary>
    public string? Charset { get; private init; }

    /// <summary>
    /// True when this client can answer the challenge: the algorithm is one we implement and, when
    /// qop options are offered, "auth" or "auth-int" is among them (RFC 7616 §3.4: the answer must use
    /// an offered qop, so a challenge offering only unknown ones cannot be answered).
    /// </summary>
    public bool IsSupported { get; private init; }

    /// <summary>The qop the answer uses: auth when offered, else auth-int, else none.</summary>
    internal DigestQop QopChoice { get; private init; }

    /// <summary>Reads one challenge. Never throws: a malformed value gives false and an error naming the problem.</summary>
    public static bool TryParse(string headerValue, [NotNullWhen(true)] out DigestChallenge? challenge, [NotNullWhen(false)] out string? error)
    {
        challenge = null;
        if (!DigestParameters.TryParse(headerValue, out var parameters, out error))
        {
            return false;
        }
        if (!parameters.TryGetValue("realm", out var realm))
        {
            error = "the challenge has no realm";
            return false;
        }
        if (!parameters.TryGetValue("nonce", out var nonce))
        {
            error = "the challenge has no nonce";
            return false;
        }
        if (nonce.Length == 0)
        {
            error = "the challenge has an empty nonce";
            return false;
        }

        var algorithmName = parameters.GetValueOrDefault("algorithm");
        var algorithm = algorithmName is null ? DigestAlgorithm.Md5 : DigestAlgorithms.FromToken(algorithmName);
        var qop = parameters.TryGetValue("qop", out var qopText) ? SplitQop(qopText) : [];
        var qopChoice = ChooseQop(qop);
        challenge = new DigestChallenge(realm, nonce)
        {
            Opaque = parameters.GetValueOrDefault("opaque"),
            Algorithm = algorithm ?? DigestAlgorithm.Md5,
            AlgorithmName = algorithmName,
            Qop = qop,
            QopChoice = qopChoice,
            IsSupported = algorithm is not null && qopChoice != DigestQop.Unsupported,
            Stale = IsTrue(parameters.GetValueOrDefault("stale")),
            Domain = parameters.GetValueOrDefault("domain"),
            Charset = parameters.GetValueOrDefault("charset"),
            UserHash = IsTrue(parameters.GetValueOrDefault("userhash")),
        };
        error = null;
        return true;
    }

    /// <summary>
    /// The first challenge we can answer in a 401 (WWW-Authenticate) or 407 (Proxy-Authenticate);
    /// null for any other status or when none is supported.
    /// </summary>
    public static DigestChallenge? SelectFirstSupported(SipResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.StatusCode switch
        {
            401 => SelectFirstSupported(response.WwwAuthenticate),
            407 => SelectFirstSupported(response.ProxyAuthenticate),
            _ => null,
        };
    }

    /// <summary>
    /// The first challenge among <paramref name="headerValues"/> that parses, has the Digest scheme and
    /// is <see cref="IsSupported"/>. Servers list their challenges in order of preference
    /// (RFC 7616 §3.7, RFC 8760 §2.4), so the first one we can answer is the one to use.
    /// Values that do not parse or use another scheme are skipped. Null when none fits.
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

    /// <summary>A summary for logs: realm, nonce, algorithm, qop and flags. A challenge holds no secret.</summary>
    public override string ToString()
        => $"Digest realm=\"{Realm}\", nonce=\"{Nonce}\", algorithm={AlgorithmName ?? "MD5"}, qop=\"{string.Join(',', Qop)}\", stale={(Stale ? "true" : "false")}, userhash={(UserHash ? "true" : "false")}";

    private static string[] SplitQop(string text)
        => text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static DigestQop ChooseQop(string[] offered)
    {
        if (offered.Length == 0)
        {
            return DigestQop.None;
        }
        var authInt = false;
        foreach (var option in offered)
        {
            // auth wins over auth-int: it needs no body hash, and a proxy that changes the body does not break it.
            if (option.Equals("auth", StringComparison.OrdinalIgnoreCase))
            {
                return DigestQop.Auth;
            }
            authInt |= option.Equals("auth-int", StringComparison.OrdinalIgnoreCase);
        }
        return authInt ? DigestQop.AuthInt : DigestQop.Unsupported;
    }

    private static bool IsTrue(string? value) => string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);
}
