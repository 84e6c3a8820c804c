using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using SipActors.Sip.Headers;

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
        => TryParse(headerValue.AsSpan(), out challenge, out error);

    /// <summary>
    /// Reads one challenge straight into its fields, in one pass over the parameters: only the values
    /// kept (realm, nonce, opaque, ...) become strings; no dictionary, no parameter names, and the
    /// common qop lists and algorithm tokens are shared. Never throws.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> headerValue, [NotNullWhen(true)] out DigestChallenge? challenge, [NotNullWhen(false)] out string? error)
    {
        challenge = null;
        if (!DigestParameterReader.TryStart(headerValue, out var reader, out error))
        {
            return false;
        }
        string? realm = null, nonce = null, opaque = null, algorithmName = null, domain = null, charset = null;
        IReadOnlyList<string>? qop = null;
        var qopChoice = DigestQop.None;
        bool stale = false, userHash = false;
        var seen = Known.None;
        List<string>? others = null; // names of parameters we do not read, only to refuse duplicates
        while (reader.TryNext(out var name, out var value, out error))
        {
            var known = KnownOf(name);
            if (known == Known.None)
            {
                var other = name.ToString();
                others ??= new List<string>(2);
                if (others.Exists(o => o.Equals(other, StringComparison.OrdinalIgnoreCase)))
                {
                    error = $"parameter '{DigestSyntax.Excerpt(name)}' appears more than once";
                    return false;
                }
                others.Add(other);
                continue;
            }
            if ((seen & known) != 0)
            {
                error = $"parameter '{DigestSyntax.Excerpt(name)}' appears more than once";
                return false;
            }
            seen |= known;
            switch (known)
            {
                case Known.Realm: realm = SharedRealm(value); break;
                case Known.Nonce: nonce = value.ToString(); break;
                case Known.Opaque: opaque = value.ToString(); break;
                case Known.Algorithm: algorithmName = AlgorithmToken(value); break;
                case Known.Qop: qop = ReadQop(value, out qopChoice); break;
                case Known.Stale: stale = value.Equals("true", StringComparison.OrdinalIgnoreCase); break;
                case Known.Domain: domain = value.ToString(); break;
                case Known.Charset: charset = value.ToString(); break;
                case Known.UserHash: userHash = value.Equals("true", StringComparison.OrdinalIgnoreCase); break;
            }
        }
        if (error is not null)
        {
            return false;
        }
        if (realm is null)
        {
            error = "the challenge has no realm";
            return false;
        }
        if (nonce is null)
        {
            error = "the challenge has no nonce";
            return false;
        }
        if (nonce.Length == 0)
        {
            error = "the challenge has an empty nonce";
            return false;
        }

        var algorithm = algorithmName is null ? DigestAlgorithm.Md5 : DigestAlgorithms.FromToken(algorithmName);
        challenge = new DigestChallenge(realm, nonce)
        {
            Opaque = opaque,
            Algorithm = algorithm ?? DigestAlgorithm.Md5,
            AlgorithmName = algorithmName,
            Qop = qop ?? [],
            QopChoice = qopChoice,
            IsSupported = algorithm is not null && qopChoice != DigestQop.Unsupported,
            Stale = stale,
            Domain = domain,
            Charset = charset,
            UserHash = userHash,
        };
        return true;
    }

    /// <summary>
    /// The first challenge we can answer in a 401 (WWW-Authenticate) or 407 (Proxy-Authenticate);
    /// null for any other status or when none is supported.
    /// </summary>
    public static DigestChallenge? SelectFirstSupported(SipResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var header = response.StatusCode switch
        {
            401 => SipHeaderId.WwwAuthenticate,
            407 => SipHeaderId.ProxyAuthenticate,
            _ => SipHeaderId.Extension,
        };
        if (header == SipHeaderId.Extension)
        {
            return null;
        }
        // Read from the message's bytes: no string per header value, only the challenge's own fields.
        Span<char> onStack = stackalloc char[1024];
        foreach (var value in response.Headers.EnumerateValues(header))
        {
            if (value.Length > DigestParameters.MaxLength * 4)
            {
                continue; // too long in any encoding (TryParse refuses it too)
            }
            char[]? rented = null;
            var chars = value.Length <= onStack.Length ? onStack : (rented = ArrayPool<char>.Shared.Rent(value.Length));
            try
            {
                var length = Encoding.UTF8.GetChars(value, chars);
                if (TryParse(chars[..length], out var challenge, out _) && challenge.IsSupported)
                {
                    return challenge;
                }
            }
            finally
            {
                if (rented is not null)
                {
                    ArrayPool<char>.Shared.Return(rented);
                }
            }
        }
        return null;
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

    /// <summary>The parameters a challenge reads, as bits (a duplicate of any is refused).</summary>
    [Flags]
    private enum Known
    {
        None = 0,
        Realm = 1,
        Nonce = 2,
        Opaque = 4,
        Algorithm = 8,
        Qop = 16,
        Stale = 32,
        Domain = 64,
        Charset = 128,
        UserHash = 256,
    }

    private static Known KnownOf(ReadOnlySpan<char> name)
    {
        static bool Is(ReadOnlySpan<char> name, string known) => name.Equals(known, StringComparison.OrdinalIgnoreCase);
        return name.Length switch
        {
            3 when Is(name, "qop") => Known.Qop,
            5 when Is(name, "realm") => Known.Realm,
            5 when Is(name, "nonce") => Known.Nonce,
            5 when Is(name, "stale") => Known.Stale,
            6 when Is(name, "opaque") => Known.Opaque,
            6 when Is(name, "domain") => Known.Domain,
            7 when Is(name, "charset") => Known.Charset,
            8 when Is(name, "userhash") => Known.UserHash,
            9 when Is(name, "algorithm") => Known.Algorithm,
            _ => Known.None,
        };
    }

    private static readonly string[] AlgorithmTokens = ["MD5", "MD5-sess", "SHA-256", "SHA-256-sess", "SHA-512-256", "SHA-512-256-sess"];
    private static readonly string[] QopAuth = ["auth"];
    private static readonly string[] QopAuthInt = ["auth-int"];
    private static readonly string[] QopBoth = ["auth", "auth-int"];

    private static volatile string? s_lastRealm;

    /// <summary>
    /// The realm as a string, the last one read when it is the same: every account of a server is
    /// challenged with one realm, and each keeps its challenge for refreshes (a string per account).
    /// </summary>
    private static string SharedRealm(ReadOnlySpan<char> value)
    {
        var last = s_lastRealm;
        if (last is not null && value.SequenceEqual(last))
        {
            return last;
        }
        var realm = value.ToString();
        s_lastRealm = realm;
        return realm;
    }

    /// <summary>The algorithm token as sent: one of the shared strings when spelled as RFC 7616 does.</summary>
    private static string AlgorithmToken(ReadOnlySpan<char> token)
    {
        foreach (var known in AlgorithmTokens)
        {
            if (token.SequenceEqual(known))
            {
                return known;
            }
        }
        return token.ToString();
    }

    /// <summary>The qop options as sent (the usual lists shared) and the one the answer uses: auth when offered, else auth-int.</summary>
    private static IReadOnlyList<string> ReadQop(ReadOnlySpan<char> text, out DigestQop choice)
    {
        List<string>? options = null;
        bool auth = false, authInt = false, other = false;
        foreach (var range in text.Split(','))
        {
            var option = text[range].Trim();
            if (option.IsEmpty)
            {
                continue;
            }
            // auth wins over auth-int: it needs no body hash, and a proxy that changes the body does not break it.
            var isAuth = option.Equals("auth", StringComparison.OrdinalIgnoreCase);
            var isAuthInt = !isAuth && option.Equals("auth-int", StringComparison.OrdinalIgnoreCase);
            auth |= isAuth;
            authInt |= isAuthInt;
            (options ??= []).Add(option.SequenceEqual("auth") ? "auth" : option.SequenceEqual("auth-int") ? "auth-int" : option.ToString());
            other |= !option.SequenceEqual("auth") && !option.SequenceEqual("auth-int");
        }
        choice = options is null ? DigestQop.None : auth ? DigestQop.Auth : authInt ? DigestQop.AuthInt : DigestQop.Unsupported;
        if (options is null)
        {
            return [];
        }
        // The lists every server sends, in the order they send them, need no array of their own.
        if (!other && options.Count == 1)
        {
            return options[0] == "auth" ? QopAuth : QopAuthInt;
        }
        if (!other && options.Count == 2 && options[0] == "auth" && options[1] == "auth-int")
        {
            return QopBoth;
        }
        return options.ToArray();
    }
}
