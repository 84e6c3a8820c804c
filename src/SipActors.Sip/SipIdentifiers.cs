using System.Globalization;
using System.Security.Cryptography;

namespace SipActors.Sip;

/// <summary>
/// Branches, tags and Call-IDs. Each is a process-random prefix plus a counter: unique without a
/// random draw per message, and unguessable enough for a peer not to forge a match (RFC 3261 §8.1.1.7, §19.3).
/// </summary>
public static class SipIdentifiers
{
    private static readonly string Prefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
    private static long s_counter = RandomNumberGenerator.GetInt32(int.MaxValue);

    /// <summary>A new branch with the RFC 3261 magic cookie.</summary>
    public static string NewBranch() => string.Create(null, stackalloc char[64], $"z9hG4bK.{Prefix}{Next():x}");

    /// <summary>A new branch, as <see cref="NewBranch"/> makes it, written into <paramref name="destination"/>; false when it does not fit.</summary>
    internal static bool TryWriteBranch(Span<char> destination, out int written)
        => destination.TryWrite(CultureInfo.InvariantCulture, $"z9hG4bK.{Prefix}{Next():x}", out written);

    /// <summary>A new tag, as <see cref="NewTag"/> makes it, written into <paramref name="destination"/>; false when it does not fit.</summary>
    internal static bool TryWriteTag(Span<char> destination, out int written)
        => destination.TryWrite(CultureInfo.InvariantCulture, $"{Prefix}{Next():x}", out written);

    /// <summary>A new From/To tag.</summary>
    public static string NewTag() => string.Create(null, stackalloc char[48], $"{Prefix}{Next():x}");

    /// <summary>A new globally unique Call-ID (random, so two processes never collide).</summary>
    public static string NewCallId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>A UUID URN for <c>+sip.instance</c> (RFC 5626 §4.1), derived from the account so it is stable across restarts.</summary>
    public static string InstanceUrn(string accountKey)
    {
        var hash = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(accountKey));
        // Version 5-style layout: version nibble 5, RFC 4122 variant.
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        var guid = new Guid(hash.AsSpan(0, 16), bigEndian: true);
        return "urn:uuid:" + guid.ToString("D");
    }

    private static long Next() => Interlocked.Increment(ref s_counter);
}
