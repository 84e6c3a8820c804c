using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace SipActors.Sip.Auth;

/// <summary>
/// The digest formulas of RFC 7616 §3.4.1–3.4.4 (RFC 2617 §3.2.2.1 for the form without qop),
/// shared by the client and the embedded registrar that checks it. Hash inputs are built as
/// UTF-8 on the stack (a pooled buffer only for unusually long inputs) and wiped after use,
/// since A1 holds the password.
/// </summary>
internal static class DigestCalculator
{
    /// <summary>Inputs up to this many bytes go on the stack.</summary>
    private const int StackBufferSize = 1024;

    /// <summary>The lowercase hex <c>response</c> value; <paramref name="qop"/> null for the RFC 2069 form.</summary>
    public static string Response(DigestAlgorithm algorithm, string username, string realm, string password, string nonce,
        string cnonce, string nc, string? qop, string method, string digestUri, ReadOnlySpan<byte> body)
    {
        Span<char> response = stackalloc char[DigestAlgorithms.MaxHexLength];
        var n = WriteResponse(algorithm, username, realm, password, nonce, cnonce, nc, qop, method, digestUri, body, response);
        return new string(response[..n]);
    }

    /// <summary>
    /// Writes the lowercase hex <c>response</c> value into <paramref name="destination"/> (64 chars suffice);
    /// returns its length. An empty <paramref name="qop"/> selects the RFC 2069 form, where cnonce and nc are unused.
    /// </summary>
    public static int WriteResponse(DigestAlgorithm algorithm, ReadOnlySpan<char> username, ReadOnlySpan<char> realm,
        ReadOnlySpan<char> password, ReadOnlySpan<char> nonce, ReadOnlySpan<char> cnonce, ReadOnlySpan<char> nc,
        ReadOnlySpan<char> qop, ReadOnlySpan<char> method, ReadOnlySpan<char> digestUri, ReadOnlySpan<byte> body,
        Span<char> destination)
    {
        // One buffer serves every step in turn; this bounds the longest (3 UTF-8 bytes per UTF-16 char, plus hashes and colons).
        var needed = 3 * (username.Length + realm.Length + password.Length + nonce.Length + cnonce.Length + nc.Length
            + qop.Length + method.Length + digestUri.Length) + 3 * DigestAlgorithms.MaxHexLength + 8;
        byte[]? rented = null;
        var buffer = needed <= StackBufferSize ? stackalloc byte[StackBufferSize] : (rented = ArrayPool<byte>.Shared.Rent(needed));
        Span<byte> ha1 = stackalloc byte[DigestAlgorithms.MaxHexLength];
        Span<byte> ha2 = stackalloc byte[DigestAlgorithms.MaxHexLength];
        try
        {
            // A1 = unq(username) ":" unq(realm) ":" passwd
            var n = Utf8(buffer, 0, username);
            n = Utf8(buffer, Colon(buffer, n), realm);
            n = Utf8(buffer, Colon(buffer, n), password);
            var ha1Length = algorithm.HashHex(buffer[..n], ha1);

            if (algorithm.IsSession())
            {
                // -sess: A1 = H(unq(username) ":" unq(realm) ":" passwd) ":" unq(nonce) ":" unq(cnonce)
                n = Bytes(buffer, 0, ha1[..ha1Length]);
                n = Utf8(buffer, Colon(buffer, n), nonce);
                n = Utf8(buffer, Colon(buffer, n), cnonce);
                ha1Length = algorithm.HashHex(buffer[..n], ha1);
            }

            // A2 = Method ":" request-uri, and ":" H(entity-body) for auth-int
            n = Utf8(buffer, 0, method);
            n = Utf8(buffer, Colon(buffer, n), digestUri);
            if (qop.Equals("auth-int", StringComparison.OrdinalIgnoreCase))
            {
                n = Colon(buffer, n);
                n += algorithm.HashHex(body, buffer[n..]);
            }
            var ha2Length = algorithm.HashHex(buffer[..n], ha2);

            // response = H(H(A1) ":" nonce ":" nc ":" cnonce ":" qop ":" H(A2)), or H(H(A1) ":" nonce ":" H(A2)) without qop
            n = Bytes(buffer, 0, ha1[..ha1Length]);
            n = Utf8(buffer, Colon(buffer, n), nonce);
            if (!qop.IsEmpty)
            {
                n = Utf8(buffer, Colon(buffer, n), nc);
                n = Utf8(buffer, Colon(buffer, n), cnonce);
                n = Utf8(buffer, Colon(buffer, n), qop);
            }
            n = Bytes(buffer, Colon(buffer, n), ha2[..ha2Length]);
            return algorithm.HashHex(buffer[..n], destination);
        }
        finally
        {
            // The buffer held the password, and H(A1) is as good as the password for this realm.
            CryptographicOperations.ZeroMemory(buffer[..Math.Min(needed, buffer.Length)]);
            CryptographicOperations.ZeroMemory(ha1);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>RFC 7616 §3.4.4: username = H(unq(username) ":" unq(realm)), as lowercase hex.</summary>
    public static string UserHash(DigestAlgorithm algorithm, string username, string realm)
    {
        Span<char> hex = stackalloc char[DigestAlgorithms.MaxHexLength];
        var n = WriteUserHash(algorithm, username, realm, hex);
        return new string(hex[..n]);
    }

    /// <summary>Writes H(unq(username) ":" unq(realm)) as lowercase hex into <paramref name="destination"/>; returns its length.</summary>
    public static int WriteUserHash(DigestAlgorithm algorithm, ReadOnlySpan<char> username, ReadOnlySpan<char> realm, Span<char> destination)
    {
        var needed = 3 * (username.Length + realm.Length) + 1;
        byte[]? rented = null;
        var buffer = needed <= StackBufferSize ? stackalloc byte[StackBufferSize] : (rented = ArrayPool<byte>.Shared.Rent(needed));
        try
        {
            var n = Utf8(buffer, 0, username);
            n = Utf8(buffer, Colon(buffer, n), realm);
            return algorithm.HashHex(buffer[..n], destination);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static int Utf8(Span<byte> buffer, int at, ReadOnlySpan<char> text) => at + Encoding.UTF8.GetBytes(text, buffer[at..]);

    private static int Bytes(Span<byte> buffer, int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(buffer[at..]);
        return at + bytes.Length;
    }

    private static int Colon(Span<byte> buffer, int at)
    {
        buffer[at] = (byte)':';
        return at + 1;
    }
}
