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
    public static string NewCallId()
    {
        Span<byte> random = stackalloc byte[16]; // drawn on the stack: the string is the only allocation
        RandomNumberGenerator.Fill(random);
        return Convert.ToHexStringLower(random);
    }

    /// <summary>A UUID URN for <c>+sip.instance</c> (RFC 5626 §4.1), derived from the account so it is stable across restarts.</summary>
    public static string InstanceUrn(string accountKey)
    {
        // Hashed from the stack (a pooled buffer for a very long key): the URN is the only allocation.
        var length = System.Text.Encoding.UTF8.GetMaxByteCount(accountKey.Length);
        byte[]? rented = null;
        var bytes = length <= 512 ? stackalloc byte[length] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(length));
        Span<byte> hash = stackalloc byte[32];
        try
        {
            SHA256.HashData(bytes[..System.Text.Encoding.UTF8.GetBytes(accountKey, bytes)], hash);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
        // Version 5-style layout: version nibble 5, RFC 4122 variant.
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        var guid = new Guid(hash[..16], bigEndian: true);
        return string.Create(null, stackalloc char[64], $"urn:uuid:{guid:D}");
    }

    private static long Next() => Interlocked.Increment(ref s_counter);

    private static readonly byte[] OwnBranchStart = System.Text.Encoding.ASCII.GetBytes("z9hG4bK." + Prefix);

    /// <summary>
    /// The counter of a branch that <see cref="NewBranch"/> or <see cref="TryWriteBranch"/> made in
    /// this process, read back from its bytes: false for any other branch (another prefix, not the
    /// lower-case hexadecimal they write, a leading zero), so that one number stands for one branch text.
    /// </summary>
    internal static bool TryReadOwnBranch(ReadOnlySpan<byte> branch, out ulong number)
    {
        number = 0;
        if (!branch.StartsWith(OwnBranchStart))
        {
            return false;
        }
        var digits = branch[OwnBranchStart.Length..];
        if (digits.IsEmpty || digits.Length > 16 || (digits[0] == (byte)'0' && digits.Length > 1))
        {
            return false;
        }
        foreach (var b in digits)
        {
            int value;
            if (b is >= (byte)'0' and <= (byte)'9')
            {
                value = b - '0';
            }
            else if (b is >= (byte)'a' and <= (byte)'f')
            {
                value = b - 'a' + 10;
            }
            else
            {
                number = 0;
                return false;
            }
            number = (number << 4) | (uint)value;
        }
        return true;
    }
}
