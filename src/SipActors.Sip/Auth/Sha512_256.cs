using System.Buffers.Binary;
using System.Numerics;

namespace SipActors.Sip.Auth;

/// <summary>
/// SHA-512/256 (FIPS 180-4 §5.3.6, §6.7), needed by RFC 7616's SHA-512-256 algorithm and missing
/// from the .NET class library. It is SHA-512 with its own initial values, truncated to 256 bits.
/// The round constants and initial values are computed from their definitions (§4.2.3, §5.3.5,
/// §5.3.6) once, instead of being typed in.
/// </summary>
internal static class Sha512_256
{
    private static readonly ulong[] K = ComputeRoundConstants();
    private static readonly ulong[] InitialValues = ComputeInitialValues();

    public const int HashSizeInBytes = 32;

    public static void HashData(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (destination.Length < HashSizeInBytes)
        {
            throw new ArgumentException("Destination is shorter than 32 bytes.", nameof(destination));
        }
        Span<ulong> h = stackalloc ulong[8];
        InitialValues.CopyTo(h);
        Span<byte> full = stackalloc byte[64];
        Compute(source, h, full);
        full[..HashSizeInBytes].CopyTo(destination);
    }

    private static void Compute(ReadOnlySpan<byte> source, Span<ulong> h, Span<byte> output)
    {
        Span<ulong> w = stackalloc ulong[80];
        var blocks = source.Length / 128;
        for (var b = 0; b < blocks; b++)
        {
            Compress(source.Slice(b * 128, 128), h, w);
        }
        // Padding: 0x80, zeros, then the 128-bit big-endian bit length (§5.1.2).
        Span<byte> tail = stackalloc byte[256];
        tail.Clear();
        var rest = source[(blocks * 128)..];
        rest.CopyTo(tail);
        tail[rest.Length] = 0x80;
        var tailLength = rest.Length + 1 + 16 <= 128 ? 128 : 256;
        var bits = (UInt128)(ulong)source.Length * 8;
        BinaryPrimitives.WriteUInt128BigEndian(tail.Slice(tailLength - 16, 16), bits);
        for (var offset = 0; offset < tailLength; offset += 128)
        {
            Compress(tail.Slice(offset, 128), h, w);
        }
        for (var i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(output.Slice(i * 8, 8), h[i]);
        }
    }

    private static void Compress(ReadOnlySpan<byte> block, Span<ulong> h, Span<ulong> w)
    {
        for (var t = 0; t < 16; t++)
        {
            w[t] = BinaryPrimitives.ReadUInt64BigEndian(block.Slice(t * 8, 8));
        }
        for (var t = 16; t < 80; t++)
        {
            var s0 = BitOperations.RotateRight(w[t - 15], 1) ^ BitOperations.RotateRight(w[t - 15], 8) ^ (w[t - 15] >> 7);
            var s1 = BitOperations.RotateRight(w[t - 2], 19) ^ BitOperations.RotateRight(w[t - 2], 61) ^ (w[t - 2] >> 6);
            w[t] = s1 + w[t - 7] + s0 + w[t - 16];
        }
        ulong a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
        for (var t = 0; t < 80; t++)
        {
            var sum1 = BitOperations.RotateRight(e, 14) ^ BitOperations.RotateRight(e, 18) ^ BitOperations.RotateRight(e, 41);
            var ch = (e & f) ^ (~e & g);
            var t1 = hh + sum1 + ch + K[t] + w[t];
            var sum0 = BitOperations.RotateRight(a, 28) ^ BitOperations.RotateRight(a, 34) ^ BitOperations.RotateRight(a, 39);
            var maj = (a & b) ^ (a & c) ^ (b & c);
            var t2 = sum0 + maj;
            hh = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
        h[5] += f;
        h[6] += g;
        h[7] += hh;
    }

    /// <summary>§4.2.3: the first 64 bits of the fractional parts of the cube roots of the first 80 primes.</summary>
    private static ulong[] ComputeRoundConstants()
    {
        var primes = FirstPrimes(80);
        var k = new ulong[80];
        for (var i = 0; i < 80; i++)
        {
            // floor(cbrt(p) * 2^64) = floor(cbrt(p * 2^192)); its low 64 bits are the fraction.
            k[i] = (ulong)(IntegerRoot(new BigInteger(primes[i]) << 192, 3) & ulong.MaxValue);
        }
        return k;
    }

    /// <summary>
    /// §5.3.6: SHA-512's initial values (fractions of the square roots of the first 8 primes, §5.3.5)
    /// XOR a5a5..., used to hash the ASCII string "SHA-512/256"; the result is the initial value.
    /// </summary>
    private static ulong[] ComputeInitialValues()
    {
        var primes = FirstPrimes(8);
        Span<ulong> h = stackalloc ulong[8];
        for (var i = 0; i < 8; i++)
        {
            h[i] = (ulong)(IntegerRoot(new BigInteger(primes[i]) << 128, 2) & ulong.MaxValue) ^ 0xa5a5a5a5a5a5a5a5UL;
        }
        Span<byte> full = stackalloc byte[64];
        Compute("SHA-512/256"u8, h, full);
        var result = new ulong[8];
        for (var i = 0; i < 8; i++)
        {
            result[i] = BinaryPrimitives.ReadUInt64BigEndian(full.Slice(i * 8, 8));
        }
        return result;
    }

    private static int[] FirstPrimes(int count)
    {
        var primes = new List<int>(count);
        for (var n = 2; primes.Count < count; n++)
        {
            var prime = true;
            foreach (var p in primes)
            {
                if (p * p > n)
                {
                    break;
                }
                if (n % p == 0)
                {
                    prime = false;
                    break;
                }
            }
            if (prime)
            {
                primes.Add(n);
            }
        }
        return [.. primes];
    }

    /// <summary>floor(value^(1/n)) by Newton's method on integers.</summary>
    private static BigInteger IntegerRoot(BigInteger value, int n)
    {
        var x = BigInteger.One << (int)((value.GetBitLength() + n - 1) / n);
        while (true)
        {
            var next = ((n - 1) * x + value / BigInteger.Pow(x, n - 1)) / n;
            if (next >= x)
            {
                return x;
            }
            x = next;
        }
    }
}
