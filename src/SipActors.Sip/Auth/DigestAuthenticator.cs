using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SipActors.Sip.Auth;

/// <summary>
/// Builds Authorization / Proxy-Authorization values (RFC 7616 §3.4, RFC 2617 §3.2.2, RFC 8760).
/// One instance per account: it counts how often each nonce was used (nc), since refreshes reuse
/// the last challenge instead of paying a round trip for a new one.
/// </summary>
public sealed class DigestAuthenticator
{
    private readonly Lock _lock = new();
    private string? _nonce;
    private uint _nonceCount;

    /// <summary>The header value answering <paramref name="challenge"/> for a request of <paramref name="method"/> to <paramref name="digestUri"/>.</summary>
    public string CreateAuthorization(DigestChallenge challenge, DigestCredentials credentials, string method, string digestUri, ReadOnlySpan<byte> body = default)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        uint nc;
        lock (_lock)
        {
            if (!string.Equals(_nonce, challenge.Nonce, StringComparison.Ordinal))
            {
                _nonce = challenge.Nonce;
                _nonceCount = 0;
            }
            nc = ++_nonceCount;
        }
        return CreateAuthorization(challenge, credentials, method, digestUri, body, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), nc);
    }

    /// <summary>Deterministic form for test vectors: the caller chooses cnonce and nc.</summary>
    internal string CreateAuthorization(DigestChallenge challenge, DigestCredentials credentials, string method, string digestUri, ReadOnlySpan<byte> body, string cnonce, uint nonceCount)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentException.ThrowIfNullOrEmpty(digestUri);
        if (!challenge.IsSupported)
        {
            throw new NotSupportedException($"Digest algorithm {challenge.AlgorithmName} is not supported.");
        }
        var algorithm = challenge.Algorithm;
        string? qop = challenge.Qop.Contains("auth", StringComparer.OrdinalIgnoreCase) ? "auth"
            : challenge.Qop.Contains("auth-int", StringComparer.OrdinalIgnoreCase) ? "auth-int"
            : null;
        var nc = nonceCount.ToString("x8", CultureInfo.InvariantCulture);

        var response = DigestCalculator.Response(algorithm, credentials.Username, challenge.Realm, credentials.Password,
            challenge.Nonce, cnonce, nc, qop, method, digestUri, body);
        var username = challenge.UserHash ? DigestCalculator.UserHash(algorithm, credentials.Username, challenge.Realm) : credentials.Username;
        var sb = new StringBuilder(320);
        sb.Append("Digest username=");
        AppendQuoted(sb, username);
        sb.Append(", realm=");
        AppendQuoted(sb, challenge.Realm);
        sb.Append(", nonce=");
        AppendQuoted(sb, challenge.Nonce);
        sb.Append(", uri=");
        AppendQuoted(sb, digestUri);
        sb.Append(", response=\"").Append(response).Append('"');
        if (challenge.AlgorithmName is not null)
        {
            sb.Append(", algorithm=").Append(algorithm.ToToken());
        }
        if (qop is not null)
        {
            sb.Append(", cnonce=");
            AppendQuoted(sb, cnonce);
        }
        if (challenge.Opaque is not null)
        {
            sb.Append(", opaque=");
            AppendQuoted(sb, challenge.Opaque);
        }
        if (qop is not null)
        {
            sb.Append(", qop=").Append(qop).Append(", nc=").Append(nc);
        }
        if (challenge.UserHash)
        {
            sb.Append(", userhash=true");
        }
        return sb.ToString();
    }

    private static void AppendQuoted(StringBuilder sb, string value)
    {
        sb.Append('"');
        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                sb.Append('\\');
            }
            sb.Append(c);
        }
        sb.Append('"');
    }
}
