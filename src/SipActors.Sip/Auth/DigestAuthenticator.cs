using System.Buffers;
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

        Span<byte> ha1 = stackalloc byte[64];
        Span<byte> ha2 = stackalloc byte[64];
        Span<byte> response = stackalloc byte[64];
        var hexLength = algorithm.HashSize() * 2;
        ha1 = ha1[..hexLength];
        ha2 = ha2[..hexLength];
        response = response[..hexLength];

        var scratch = new Scratch(256 + credentials.Username.Length + credentials.Password.Length + challenge.Realm.Length
            + challenge.Nonce.Length + cnonce.Length + method.Length + digestUri.Length);
        try
        {
            // A1 = unq(username) ":" unq(realm) ":" passwd; -sess: H(A1) ":" unq(nonce) ":" unq(cnonce)
            scratch.Append(credentials.Username).Append(':').Append(challenge.Realm).Append(':').Append(credentials.Password);
            algorithm.HashHex(scratch.Written, ha1);
            if (algorithm.IsSession())
            {
                scratch.Reset().Append(ha1).Append(':').Append(challenge.Nonce).Append(':').Append(cnonce);
                algorithm.HashHex(scratch.Written, ha1);
            }
            // A2 = Method ":" request-uri [":" H(entity-body)]
            scratch.Reset().Append(method).Append(':').Append(digestUri);
            if (qop == "auth-int")
            {
                Span<byte> bodyHash = stackalloc byte[64];
                var n = algorithm.HashHex(body, bodyHash);
                scratch.Append(':').Append(bodyHash[..n]);
            }
            algorithm.HashHex(scratch.Written, ha2);
            scratch.Reset().Append(ha1).Append(':').Append(challenge.Nonce).Append(':');
            if (qop is not null)
            {
                scratch.Append(nc).Append(':').Append(cnonce).Append(':').Append(qop).Append(':');
            }
            scratch.Append(ha2);
            algorithm.HashHex(scratch.Written, response);

            var username = credentials.Username;
            if (challenge.UserHash)
            {
                Span<byte> userHash = stackalloc byte[64];
                scratch.Reset().Append(credentials.Username).Append(':').Append(challenge.Realm);
                var n = algorithm.HashHex(scratch.Written, userHash);
                username = Encoding.ASCII.GetString(userHash[..n]);
            }

            var sb = new StringBuilder(320);
            sb.Append("Digest username=");
            AppendQuoted(sb, username);
            sb.Append(", realm=");
            AppendQuoted(sb, challenge.Realm);
            sb.Append(", nonce=");
            AppendQuoted(sb, challenge.Nonce);
            sb.Append(", uri=");
            AppendQuoted(sb, digestUri);
            sb.Append(", response=\"").Append(Encoding.ASCII.GetString(response)).Append('"');
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
        finally
        {
            scratch.Dispose();
        }
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

    /// <summary>A rented UTF-8 buffer the hash inputs are assembled in; cleared on return because it held the password.</summary>
    private sealed class Scratch : IDisposable
    {
        private readonly byte[] _buffer;
        private int _length;

        public Scratch(int maxChars) => _buffer = ArrayPool<byte>.Shared.Rent(maxChars * 3);

        public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

        public Scratch Reset()
        {
            _length = 0;
            return this;
        }

        public Scratch Append(string text)
        {
            _length += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_length));
            return this;
        }

        public Scratch Append(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(_buffer.AsSpan(_length));
            _length += bytes.Length;
            return this;
        }

        public Scratch Append(char c)
        {
            _buffer[_length++] = (byte)c;
            return this;
        }

        public void Dispose()
        {
            ArrayPool<byte>.Shared.Return(_buffer, clearArray: true);
        }
    }
}
