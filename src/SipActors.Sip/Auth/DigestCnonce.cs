using System.Security.Cryptography;

namespace SipActors.Sip.Auth;

/// <summary>
/// Client nonces: 16 bytes from the system CSPRNG as 32 lowercase hex characters.
/// One call into the CSPRNG costs about a microsecond whether it returns 16 bytes or 512
/// (measured on Linux/OpenSSL 3), as much as a whole MD5 response, so each thread draws
/// 32 cnonces at once and hands them out; used bytes are wiped.
/// </summary>
internal static class DigestCnonce
{
    public const int Bytes = 16;

    /// <summary>Characters of a cnonce.</summary>
    public const int Length = 2 * Bytes;

    private const int Batch = 32;

    [ThreadStatic]
    private static byte[]? t_pool;

    [ThreadStatic]
    private static int t_next;

    /// <summary>Writes a fresh cnonce into the first <see cref="Length"/> characters of <paramref name="destination"/>.</summary>
    public static void Write(Span<char> destination)
    {
        var pool = t_pool ??= new byte[Bytes * Batch];
        if (t_next == 0)
        {
            RandomNumberGenerator.Fill(pool);
        }
        var bytes = pool.AsSpan(t_next, Bytes);
        Convert.TryToHexStringLower(bytes, destination, out _);
        bytes.Clear();
        t_next = (t_next + Bytes) % pool.Length;
    }
}
