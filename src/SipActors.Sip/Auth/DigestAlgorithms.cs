using System.Security.Cryptography;

namespace SipActors.Sip.Auth;

/// <summary>Tokens and hash functions of the <see cref="DigestAlgorithm"/> values.</summary>
public static class DigestAlgorithms
{
    /// <summary>Largest hash any supported algorithm produces, in bytes.</summary>
    internal const int MaxHashSize = 32;

    /// <summary>Largest lowercase-hex hash, in characters or UTF-8 bytes.</summary>
    internal const int MaxHexLength = 2 * MaxHashSize;

    /// <summary>The token as RFC 7616 §6.1 spells it: MD5, MD5-sess, SHA-256, SHA-256-sess, SHA-512-256, SHA-512-256-sess.</summary>
    public static string ToToken(this DigestAlgorithm algorithm) => algorithm switch
    {
        DigestAlgorithm.Md5 => "MD5",
        DigestAlgorithm.Md5Sess => "MD5-sess",
        DigestAlgorithm.Sha256 => "SHA-256",
        DigestAlgorithm.Sha256Sess => "SHA-256-sess",
        DigestAlgorithm.Sha512_256 => "SHA-512-256",
        DigestAlgorithm.Sha512_256Sess => "SHA-512-256-sess",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown digest algorithm."),
    };

    /// <summary>The algorithm named by <paramref name="token"/> (case-insensitive), or null when it is not one we implement.</summary>
    public static DigestAlgorithm? FromToken(ReadOnlySpan<char> token)
    {
        // Tokens are compared without case: servers send "md5", "MD5-SESS", etc.
        if (token.Equals("MD5", StringComparison.OrdinalIgnoreCase))
        {
            return DigestAlgorithm.Md5;
        }
        if (token.Equals("SHA-256", StringComparison.OrdinalIgnoreCase))
        {
            return DigestAlgorithm.Sha256;
        }
        if (token.Equals("SHA-512-256", StringComparison.OrdinalIgnoreCase))
        {
            return DigestAlgorithm.Sha512_256;
        }
        if (token.Equals("MD5-sess", StringComparison.OrdinalIgnoreCase))
        {
            return DigestAlgorithm.Md5Sess;
        }
        if (token.Equals("SHA-256-sess", StringComparison.OrdinalIgnoreCase))
        {
            return DigestAlgorithm.Sha256Sess;
        }
        if (token.Equals("SHA-512-256-sess", StringComparison.OrdinalIgnoreCase))
        {
            return DigestAlgorithm.Sha512_256Sess;
        }
        return null;
    }

    /// <summary>True for the <c>-sess</c> variants, whose A1 includes the nonce and the client nonce.</summary>
    public static bool IsSession(this DigestAlgorithm algorithm)
        => algorithm is DigestAlgorithm.Md5Sess or DigestAlgorithm.Sha256Sess or DigestAlgorithm.Sha512_256Sess;

    /// <summary>Bytes of the hash: 16 for MD5, 32 for the others.</summary>
    internal static int HashSize(this DigestAlgorithm algorithm)
        => algorithm is DigestAlgorithm.Md5 or DigestAlgorithm.Md5Sess ? MD5.HashSizeInBytes : MaxHashSize;

    /// <summary>Hashes <paramref name="data"/> into <paramref name="destination"/>; returns the hash length.</summary>
    internal static int Hash(this DigestAlgorithm algorithm, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        switch (algorithm)
        {
            case DigestAlgorithm.Md5 or DigestAlgorithm.Md5Sess:
                return MD5.HashData(data, destination);
            case DigestAlgorithm.Sha256 or DigestAlgorithm.Sha256Sess:
                return SHA256.HashData(data, destination);
            case DigestAlgorithm.Sha512_256 or DigestAlgorithm.Sha512_256Sess:
                Sha512_256.HashData(data, destination);
                return Sha512_256.HashSizeInBytes;
            default:
                throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown digest algorithm.");
        }
    }

    /// <summary>Hashes <paramref name="data"/> and writes the lowercase hex as UTF-8 into <paramref name="utf8Hex"/>; returns its length.</summary>
    internal static int HashHex(this DigestAlgorithm algorithm, ReadOnlySpan<byte> data, Span<byte> utf8Hex)
    {
        Span<byte> hash = stackalloc byte[MaxHashSize];
        var size = algorithm.Hash(data, hash);
        Convert.TryToHexStringLower(hash[..size], utf8Hex, out var written);
        return written;
    }

    /// <summary>Hashes <paramref name="data"/> and writes the lowercase hex into <paramref name="hex"/>; returns its length.</summary>
    internal static int HashHex(this DigestAlgorithm algorithm, ReadOnlySpan<byte> data, Span<char> hex)
    {
        Span<byte> hash = stackalloc byte[MaxHashSize];
        var size = algorithm.Hash(data, hash);
        Convert.TryToHexStringLower(hash[..size], hex, out var written);
        return written;
    }
}
