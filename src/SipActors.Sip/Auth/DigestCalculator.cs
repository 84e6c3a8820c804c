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

        // The hash inputs are small: on the stack, with a rented buffer only for unusual lengths.
        var needed = Encoding.UTF8.GetMaxByteCount(username.Length + password.Length + realm.Length + nonce.Length
            + cnonce.Length + method.Length + digestUri.Length + nc.Length + 16) + 3 * 64;
        byte[]? rented = null;
        var buffer = needed <= 1024 ? stackalloc byte[1024] : (rented = ArrayPool<byte>.Shared.Rent(needed));
        try
        {
            // A1 = unq(username) ":" unq(realm) ":" passwd; -sess: H(A1) ":" unq(nonce) ":" unq(cnonce)
            var n = Put(buffer, 0, username, realm, password);
            algorithm.HashHex(buffer[..n], ha1);
            if (algorithm.IsSession())
            {
                n = PutBytes(buffer, 0, ha1);
                n = Put(buffer, n, nonce, cnonce, prefixColon: true);
                algorithm.HashHex(buffer[..n], ha1);
            }
            // A2 = Method ":" request-uri [":" H(entity-body)]
            n = Put(buffer, 0, method, digestUri);
            if (qop == "auth-int")
            {
                Span<byte> bodyHash = stackalloc byte[64];
                var h = algorithm.HashHex(body, bodyHash);
                buffer[n++] = (byte)':';
                n = PutBytes(buffer, n, bodyHash[..h]);
            }
            algorithm.HashHex(buffer[..n], ha2);
            n = PutBytes(buffer, 0, ha1);
            n = qop is not null
                ? Put(buffer, n, nonce, nc, cnonce, qop, prefixColon: true)
                : Put(buffer, n, nonce, prefixColon: true);
            buffer[n++] = (byte)':';
            n = PutBytes(buffer, n, ha2);
            algorithm.HashHex(buffer[..n], response);
            return Encoding.ASCII.GetString(response);
        }
        finally
        {
            // The buffer held the password.
            buffer.Clear();
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Writes the parts joined by ':' (and a leading ':' when asked); returns the new length.</summary>
    private static int Put(Span<byte> buffer, int at, string a, string b, string? c = null, string? d = null, bool prefixColon = false)
    {
        if (prefixColon)
        {
            buffer[at++] = (byte)':';
        }
        at += Encoding.UTF8.GetBytes(a, buffer[at..]);
        buffer[at++] = (byte)':';
        at += Encoding.UTF8.GetBytes(b, buffer[at..]);
        foreach (var part in (ReadOnlySpan<string?>)[c, d])
        {
            if (part is not null)
            {
                buffer[at++] = (byte)':';
                at += Encoding.UTF8.GetBytes(part, buffer[at..]);
            }
        }
        return at;
    }

    private static int Put(Span<byte> buffer, int at, string a, bool prefixColon)
    {
        if (prefixColon)
        {
            buffer[at++] = (byte)':';
        }
        return at + Encoding.UTF8.GetBytes(a, buffer[at..]);
    }

    private static int PutBytes(Span<byte> buffer, int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(buffer[at..]);
        return at + bytes.Length;
    }

    /// <summary>RFC 7616 §3.4.4: username = H(unq(username) ":" unq(realm)).</summary>
    public static string UserHash(DigestAlgorithm algorithm, string username, string realm)
    {
        Span<byte> hex = stackalloc byte[64];
        var input = Encoding.UTF8.GetBytes(username + ":" + realm);
        var n = algorithm.HashHex(input, hex);
        return Encoding.ASCII.GetString(hex[..n]);
    }
}
