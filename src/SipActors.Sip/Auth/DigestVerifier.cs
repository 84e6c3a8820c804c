using System.Security.Cryptography;
using System.Text;
using SipActors.Sip.Headers;

namespace SipActors.Sip.Auth;

/// <summary>
/// The server side of digest authentication (RFC 2617, RFC 7616, RFC 3261 §22): issues a
/// challenge with a stateless nonce and checks an <c>Authorization</c> or
/// <c>Proxy-Authorization</c> against the password the caller looked up for the user. It keeps no
/// state per user or per nonce, so thousands of challenged clients cost nothing here.
/// </summary>
internal sealed class DigestVerifier
{
    private readonly NonceIssuer _nonces;

    /// <param name="realm">The realm put in challenges and required in credentials.</param>
    /// <param name="time">The clock that dates nonces; tests pass a fake one.</param>
    /// <param name="nonceLifetime">How long a nonce is fresh; after that a right answer is <see cref="DigestVerdict.Stale"/>.</param>
    public DigestVerifier(string realm, TimeProvider time, TimeSpan nonceLifetime)
    {
        ArgumentNullException.ThrowIfNull(realm);
        ArgumentNullException.ThrowIfNull(time);
        Realm = realm;
        _nonces = new NonceIssuer(time, nonceLifetime);
    }

    public string Realm { get; }

    /// <summary>A <c>WWW-Authenticate</c> / <c>Proxy-Authenticate</c> value with a fresh nonce (MD5, qop=auth).</summary>
    public string Challenge(bool stale)
        => $"Digest realm=\"{Realm}\", nonce=\"{_nonces.Issue()}\", qop=\"auth\", algorithm=MD5{(stale ? ", stale=true" : "")}";

    /// <summary>Checks the first <paramref name="header"/> of <paramref name="request"/> for <paramref name="user"/>.</summary>
    public DigestVerdict Verify(SipRequest request, string user, string password, SipHeaderId header = SipHeaderId.Authorization)
    {
        ArgumentNullException.ThrowIfNull(request);
        var value = request.Headers.GetFirst(header);
        return value is null ? DigestVerdict.Missing : Verify(request.MethodName, value, user, password);
    }

    /// <summary>Checks one credentials value sent with a request of <paramref name="method"/>.</summary>
    public DigestVerdict Verify(string method, string credentials, string user, string password)
    {
        if (!DigestParameters.TryParse(credentials, out var p, out _))
        {
            return DigestVerdict.Missing;
        }
        if (!p.TryGetValue("username", out var username) || !p.TryGetValue("realm", out var realm) || !p.TryGetValue("nonce", out var nonce)
            || !p.TryGetValue("uri", out var uri) || !p.TryGetValue("response", out var response))
        {
            return DigestVerdict.Wrong;
        }
        if (username != user || realm != Realm)
        {
            return DigestVerdict.Wrong;
        }
        var (valid, stale) = _nonces.Check(nonce);
        if (!valid)
        {
            return stale ? DigestVerdict.Stale : DigestVerdict.Missing;
        }
        var algorithm = p.TryGetValue("algorithm", out var name) ? DigestAlgorithms.FromToken(name) : DigestAlgorithm.Md5;
        if (algorithm is null)
        {
            return DigestVerdict.Wrong;
        }
        p.TryGetValue("qop", out var qop);
        p.TryGetValue("nc", out var nc);
        p.TryGetValue("cnonce", out var cnonce);
        if (qop is not null && (qop != "auth" || nc is null || cnonce is null))
        {
            return DigestVerdict.Wrong;
        }
        var expected = DigestCalculator.Response(algorithm.Value, username, realm, password, nonce, cnonce ?? "", nc ?? "", qop,
            method, uri, default);
        // Constant time: how much of a guess matched must not show in how long the answer takes.
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(response.ToLowerInvariant()))
            ? DigestVerdict.Ok
            : DigestVerdict.Wrong;
    }
}
