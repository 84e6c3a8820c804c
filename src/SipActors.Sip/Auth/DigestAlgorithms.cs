using System.Security.Cryptography;

namespace SipActors.Sip.Auth;

/// <summary>Names and hash functions of the digest algorithms.</summary>
public static class DigestAlgorithms
{
    /// <summary>The token as RFC 7616 spells it: MD5, MD5-sess, SHA-256, SHA-256-sess, SHA-512-256, SHA-512-256-sess.</summary>
    public static string ToToken(this DigestAlgorithm algorithm) => algorithm switch
    {
        DigestAlgorithm.Md5 => "MD5",
        DigestAlgorithm.Md5Sess => "MD5-sess",
        DigestAlgorithm.Sha256 => "SHA-256",
        DigestAlgorithm.Sha256Sess => "SHA-256-sess",
        DigestAlgorithm.Sha512_256 => "SHA-512-256",
        DigestAlgorithm.Sha512_256Sess => "SHA-512-256-sess",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>The algorithm named by a token (case-insensitive), or null when we do not support it.</summary>
    public static DigestAlgorithm? FromToken(ReadOnlySpan<char> token)
    {
        foreach (var algorithm in Enum.GetValues<DigestAlgorithm>())
        {
            if (token.Equals(algorithm.ToToken(), StringComparison.OrdinalIgnoreCase))
            {
                return algorithm;
            }
        }
        return null;
    }

    public static bool IsSession(this DigestAlgorithm algorithm)
        => algorithm is DigestAlgorithm.Md5Sess or DigestAlgorithm.Sha256Sess or DigestAlgorithm.Sha512_256Sess;

    /// <summary>Bytes of the hash: 16 for MD5, 32 for the others.</summary>
    internal static int HashSize(this DigestAlgorithm algorithm) => algorithm is DigestAlgorithm.Md5 or DigestAlgorithm.Md5Sess ? 16 : 32;

    /// <summary>Hashes <paramref name="data"/> and writes the lowercase hex into <paramref name="hex"/>; returns the hex length.</summary>
    internal static int HashHex(this DigestAlgorithm algorithm, ReadOnlySpan<byte> data, Span<byte> hex)
    {
        Span<byte> hash = stackalloc byte[32];
        var size = algorithm.HashSize();
        switch (algorithm)
        {
            case DigestAlgorithm.Md5 or DigestAlgorithm.Md5Sess:
                MD5.HashData(data, hash);
                break;
            case DigestAlgorithm.Sha256 or DigestAlgorithm.Sha256Sess:
                SHA256.HashData(data, hash);
                break;
            default:
                Sha512_256.HashData(data, hash);
                break;
        }
        for (var i = 0; i < size; i++)
        {
            hex[2 * i] = HexDigit(hash[i] >> 4);
            hex[2 * i + 1] = HexDigit(hash[i] & 0xF);
        }
        return size * 2;
    }

    private static byte HexDigit(int value) => (byte)(value < 10 ? '0' + value : 'a' + value - 10);
}
