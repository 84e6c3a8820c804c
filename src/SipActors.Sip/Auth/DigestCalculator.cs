using System.Buffers;
using System.Text;

namespace SipActors.Sip.Auth;

/// <summary>
/// The digest formulas of RFC 7616 §3.4.1–3.4.3 (RFC 2617 §3.2.2 for the forms without qop),
/// shared by the client and the embedded registrar that checks it.
/// </summary>
internal static class DigestCalculator
{
    /// <summary>The lowercase hex <c>response</c> value.</summary>
    public static string Response(DigestAlgorithm algorithm, string username, string realm, string password, string nonce,
        string cnonce, string nc, string? qop, string method, string digestUri, ReadOnlySpan<byte> body)
    {
        var hexLength = algorithm.HashSize() * 2;
        Span<byte> ha1 = stackalloc byte[64];
        Span<byte> ha2 = stackalloc byte[64];
        Span<byte> response = stackalloc byte[64];
        ha1 = ha1[..hexLength];
        ha2 = ha2[..hexLength];
        response = response[..hexLength];

        using var scratch = new Scratch(256 + username.Length + password.Length + realm.Length + nonce.Length
            + cnonce.Length + method.Length + digestUri.Length);
        // A1 = unq(username) ":" unq(realm) ":" passwd; -sess: H(A1) ":" unq(nonce) ":" unq(cnonce)
        scratch.Append(username).Append(':').Append(realm).Append(':').Append(password);
        algorithm.HashHex(scratch.Written, ha1);
        if (algorithm.IsSession())
        {
            scratch.Reset().Append(ha1).Append(':').Append(nonce).Append(':').Append(cnonce);
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
        scratch.Reset().Append(ha1).Append(':').Append(nonce).Append(':');
        if (qop is not null)
        {
            scratch.Append(nc).Append(':').Append(cnonce).Append(':').Append(qop).Append(':');
        }
        scratch.Append(ha2);
        algorithm.HashHex(scratch.Written, response);
        return Encoding.ASCII.GetString(response);
    }

    /// <summary>RFC 7616 §3.4.4: username = H(unq(username) ":" unq(realm)).</summary>
    public static string UserHash(DigestAlgorithm algorithm, string username, string realm)
    {
        Span<byte> hex = stackalloc byte[64];
        using var scratch = new Scratch(username.Length + realm.Length + 1);
        scratch.Append(username).Append(':').Append(realm);
        var n = algorithm.HashHex(scratch.Written, hex);
        return Encoding.ASCII.GetString(hex[..n]);
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
