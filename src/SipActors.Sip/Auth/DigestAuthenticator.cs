using System.Buffers;
using System.Globalization;

namespace SipActors.Sip.Auth;

/// <summary>
/// Builds Authorization / Proxy-Authorization values answering a <see cref="DigestChallenge"/>
/// (RFC 7616 §3.4, RFC 2617 §3.2.2, RFC 3261 §22.4, RFC 8760). The same value answers a 401 or a 407;
/// the caller picks the header. Use one instance per account: it counts how often each nonce was
/// used (nc), since refreshes reuse the last challenge instead of paying a round trip for a new one.
/// Thread-safe.
/// </summary>
public sealed class DigestAuthenticator
{
    /// <summary>
    /// Nonces whose count is kept. An account answers at most a registrar and a proxy or two at once;
    /// a short list bounds the memory of thousands of accounts, and an evicted nonce is long stale.
    /// </summary>
    private const int RememberedNonces = 4;

    /// <summary>Values up to this many characters are built on the stack (a typical one is about 300).</summary>
    private const int StackValueSize = 1024;

    /// <summary>Upper bound of the literal parts ("Digest username=", ", realm=", ..., ", userhash=true") and unquoted tokens.</summary>
    private const int FixedPartsBound = 192;

    private readonly Lock _lock = new();

    // The nonces counted, most recently used first: the last one in fields, the ones before it in an
    // array made only when a second nonce comes. An account nearly always answers one registrar's
    // nonce, and two arrays were ~90 bytes of every account, made and held.
    private string? _lastNonce;
    private uint _lastCount;
    private (string? Nonce, uint Count)[]? _older;

    /// <summary>
    /// The header value answering <paramref name="challenge"/> for a request of <paramref name="method"/>
    /// whose Request-URI is <paramref name="digestUri"/>. <paramref name="body"/> matters only for qop=auth-int.
    /// Each call with qop uses a fresh random cnonce and the next nc for the challenge's nonce.
    /// </summary>
    /// <exception cref="NotSupportedException">The challenge is not <see cref="DigestChallenge.IsSupported"/>.</exception>
    /// <exception cref="ArgumentException">The method is not a token, or the URI contains a control character.</exception>
    public string CreateAuthorization(DigestChallenge challenge, DigestCredentials credentials, string method, string digestUri, ReadOnlySpan<byte> body = default)
    {
        Validate(challenge, credentials, method, digestUri);
        if (!NeedsCnonce(challenge))
        {
            return Build(challenge, credentials, method, digestUri, body, default, 0, null, default)!;
        }
        Span<char> cnonce = stackalloc char[DigestCnonce.Length];
        DigestCnonce.Write(cnonce);
        var nonceCount = challenge.QopChoice == DigestQop.None ? 0 : NextNonceCount(challenge.Nonce);
        return Build(challenge, credentials, method, digestUri, body, cnonce, nonceCount, null, default)!;
    }

    /// <summary>
    /// As <see cref="CreateAuthorization(DigestChallenge, DigestCredentials, string, string, ReadOnlySpan{byte})"/>,
    /// added to <paramref name="headers"/> as a <paramref name="header"/> line straight from the
    /// stack: no string of its own (about 700 bytes of every answered REGISTER).
    /// </summary>
    internal void AddAuthorization(Headers.SipHeaderCollection headers, Headers.SipHeaderId header, DigestChallenge challenge, DigestCredentials credentials,
        string method, string digestUri, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(headers);
        Validate(challenge, credentials, method, digestUri);
        if (!NeedsCnonce(challenge))
        {
            Build(challenge, credentials, method, digestUri, body, default, 0, headers, header);
            return;
        }
        Span<char> cnonce = stackalloc char[DigestCnonce.Length];
        DigestCnonce.Write(cnonce);
        var nonceCount = challenge.QopChoice == DigestQop.None ? 0 : NextNonceCount(challenge.Nonce);
        Build(challenge, credentials, method, digestUri, body, cnonce, nonceCount, headers, header);
    }

    /// <summary>Deterministic form for test vectors: the caller chooses cnonce and nc, and no count is kept.</summary>
    internal string CreateAuthorization(DigestChallenge challenge, DigestCredentials credentials, string method, string digestUri, ReadOnlySpan<byte> body, string cnonce, uint nonceCount)
    {
        Validate(challenge, credentials, method, digestUri);
        ArgumentNullException.ThrowIfNull(cnonce);
        return Build(challenge, credentials, method, digestUri, body, NeedsCnonce(challenge) ? cnonce : default, nonceCount, null, default)!;
    }

    /// <summary>
    /// A cnonce goes with every qop answer, and with a -sess answer even without qop: its A1 includes
    /// the cnonce, so the server cannot check the answer without it (RFC 2617 §3.2.2.2).
    /// </summary>
    private static bool NeedsCnonce(DigestChallenge challenge)
        => challenge.QopChoice != DigestQop.None || challenge.Algorithm.IsSession();

    private static void Validate(DigestChallenge challenge, DigestCredentials credentials, string method, string digestUri)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentException.ThrowIfNullOrEmpty(digestUri);
        if (method.AsSpan().ContainsAnyExcept(DigestSyntax.TokenChars))
        {
            throw new ArgumentException("The method is not a token.", nameof(method));
        }
        // The URI is echoed in a header: a line break in it would split the message.
        if (digestUri.AsSpan().ContainsAny(DigestSyntax.ControlChars))
        {
            throw new ArgumentException("The digest URI contains a control character.", nameof(digestUri));
        }
        if (!challenge.IsSupported)
        {
            throw new NotSupportedException(challenge.QopChoice == DigestQop.Unsupported
                ? $"The challenge offers qop '{DigestSyntax.Excerpt(string.Join(',', challenge.Qop))}' without auth or auth-int."
                : $"The digest algorithm '{DigestSyntax.Excerpt(challenge.AlgorithmName)}' is not supported.");
        }
    }

    /// <summary>The next nc for <paramref name="nonce"/>: 1 for a nonce not seen (or forgotten), else one more than last time.</summary>
    private uint NextNonceCount(string nonce)
    {
        lock (_lock)
        {
            if (string.Equals(_lastNonce, nonce, StringComparison.Ordinal))
            {
                return _lastCount = unchecked(_lastCount + 1);
            }
            if (_lastNonce is null)
            {
                (_lastNonce, _lastCount) = (nonce, 1);
                return 1;
            }
            var older = _older ??= new (string?, uint)[RememberedNonces - 1];
            var found = -1;
            for (var i = 0; i < older.Length && found < 0; i++)
            {
                found = string.Equals(older[i].Nonce, nonce, StringComparison.Ordinal) ? i : -1;
            }
            var count = found < 0 ? 1 : unchecked(older[found].Count + 1);
            // A hit moves to the front, a miss evicts the least recently used.
            var shift = found < 0 ? older.Length - 1 : found;
            Array.Copy(older, 0, older, 1, shift);
            older[0] = (_lastNonce, _lastCount);
            (_lastNonce, _lastCount) = (nonce, count);
            return count;
        }
    }

    /// <summary>The value as a string, or, given <paramref name="target"/>, added to it as a <paramref name="header"/> line (and null returned).</summary>
    private static string? Build(DigestChallenge challenge, DigestCredentials credentials, string method, string digestUri,
        ReadOnlySpan<byte> body, ReadOnlySpan<char> cnonce, uint nonceCount, Headers.SipHeaderCollection? target, Headers.SipHeaderId header)
    {
        var algorithm = challenge.Algorithm;
        var qop = challenge.QopChoice switch
        {
            DigestQop.Auth => "auth",
            DigestQop.AuthInt => "auth-int",
            _ => "",
        };
        Span<char> nc = stackalloc char[8];
        nonceCount.TryFormat(nc, out _, "x8", CultureInfo.InvariantCulture);

        Span<char> response = stackalloc char[DigestAlgorithms.MaxHexLength];
        var responseLength = DigestCalculator.WriteResponse(algorithm, credentials.Username, challenge.Realm, credentials.Password,
            challenge.Nonce, cnonce, nc, qop, method, digestUri, body, response);

        Span<char> hashedUsername = stackalloc char[DigestAlgorithms.MaxHexLength];
        ReadOnlySpan<char> username = challenge.UserHash
            ? hashedUsername[..DigestCalculator.WriteUserHash(algorithm, credentials.Username, challenge.Realm, hashedUsername)]
            : credentials.Username;

        var bound = FixedPartsBound + DigestAlgorithms.MaxHexLength
            + DigestHeaderWriter.QuotedBound(username.Length)
            + DigestHeaderWriter.QuotedBound(challenge.Realm.Length)
            + DigestHeaderWriter.QuotedBound(challenge.Nonce.Length)
            + DigestHeaderWriter.QuotedBound(digestUri.Length)
            + DigestHeaderWriter.QuotedBound(cnonce.Length)
            + DigestHeaderWriter.QuotedBound(challenge.Opaque?.Length ?? 0);
        char[]? rented = null;
        var buffer = bound <= StackValueSize ? stackalloc char[StackValueSize] : (rented = ArrayPool<char>.Shared.Rent(bound));
        try
        {
            var writer = new DigestHeaderWriter(buffer);
            writer.Append("Digest username=");
            writer.AppendQuoted(username);
            writer.Append(", realm=");
            writer.AppendQuoted(challenge.Realm);
            writer.Append(", nonce=");
            writer.AppendQuoted(challenge.Nonce);
            writer.Append(", uri=");
            writer.AppendQuoted(digestUri);
            writer.Append(", response=\"");
            writer.Append(response[..responseLength]);
            writer.Append("\"");
            // Echo the algorithm only when the server named one: an RFC 2069/2617 server may not know the parameter.
            if (challenge.AlgorithmName is not null)
            {
                writer.Append(", algorithm=");
                writer.Append(algorithm.ToToken());
            }
            if (!cnonce.IsEmpty)
            {
                writer.Append(", cnonce=");
                writer.AppendQuoted(cnonce);
            }
            if (qop.Length != 0)
            {
                writer.Append(", qop=");
                writer.Append(qop);
                writer.Append(", nc=");
                writer.Append(nc);
            }
            if (challenge.Opaque is not null)
            {
                writer.Append(", opaque=");
                writer.AppendQuoted(challenge.Opaque);
            }
            if (challenge.UserHash)
            {
                writer.Append(", userhash=true");
            }
            if (target is not null)
            {
                target.Add(header, writer.Written);
                return null;
            }
            return new string(writer.Written);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }
}
