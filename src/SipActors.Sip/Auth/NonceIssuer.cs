using System.Buffers.Binary;
using System.Security.Cryptography;

namespace SipActors.Sip.Auth;

/// <summary>
/// Stateless nonces: issue time plus an HMAC over it, so thousands of challenges cost no memory
/// and a forged or expired nonce is recognised without a table.
/// </summary>
internal sealed class NonceIssuer(TimeProvider time, TimeSpan lifetime)
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public string Issue()
    {
        Span<byte> raw = stackalloc byte[24];
        BinaryPrimitives.WriteInt64BigEndian(raw, time.GetUtcNow().ToUnixTimeMilliseconds());
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, raw[..8], mac);
        mac[..16].CopyTo(raw[8..]);
        return Convert.ToBase64String(raw);
    }

    /// <summary>Valid: ours and fresh. Stale: ours but too old (answer with stale=true).</summary>
    public (bool Valid, bool Stale) Check(string nonce)
    {
        Span<byte> raw = stackalloc byte[24];
        if (!Convert.TryFromBase64String(nonce, raw, out var written) || written != 24)
        {
            return (false, false);
        }
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, raw[..8], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac[..16], raw[8..]))
        {
            return (false, false);
        }
        var issued = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(raw));
        var age = time.GetUtcNow() - issued;
        return age < lifetime ? (true, false) : (false, true);
    }
}
