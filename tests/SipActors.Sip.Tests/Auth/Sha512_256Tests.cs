using System.Security.Cryptography;
using System.Text;
using SipActors.Sip.Auth;

namespace SipActors.Sip.Tests.Auth;

public class Sha512_256Tests
{
    private static string Hash(byte[] input)
    {
        var hash = new byte[32];
        Sha512_256.HashData(input, hash);
        return Convert.ToHexStringLower(hash);
    }

    [Theory]
    // NIST's FIPS 180-4 example values for SHA-512/256: one block ("abc") and two blocks (896 bits).
    [InlineData("abc", "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23")]
    [InlineData("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
        "3928e184fb8690f840da3988121d31be65cb9d3ef83ee6146feac861e19b563a")]
    [InlineData("", "c672b8d1ef56ed28ab87c3622c5114069bdd3ad7b8f9737498d0c01ecef0967a")]
    public void Should_match_the_FIPS_180_4_examples(string input, string expected)
    {
        Assert.Equal(expected, Hash(Encoding.ASCII.GetBytes(input)));
    }

    [Theory]
    // Lengths around the padding edges (111 bytes is the last that fits one block with its length field),
    // and a long message; expected values from OpenSSL (Python hashlib 'sha512_256').
    [InlineData(111, "0239e429f98d0ed61ee8e2a7c30afe98c1c3a80ce5dff62a107e9c538f7632ce")]
    [InlineData(112, "9216b5303edb66504570bee90e48ea5beaa5e9fe9f760bbd3e0460559fc005f6")]
    [InlineData(127, "2fe3b2a6ee7e12f6fe4ba82166541ad9b4ed882c493581cbe300d68f3757b778")]
    [InlineData(128, "b88f97e274f9c1d49f181c8cbd01a9c74930ad055a46ac4499a1d601f1c80bf2")]
    [InlineData(239, "78d0a1b37aaad84c89fff13cbe3cd3d1025bcdb648268f9102b7e7032bea7d2a")]
    [InlineData(240, "d48a4d53397b38ab4e771d781c98ac6b86712dff2a664cfd1f27c7ca40f8ce37")]
    [InlineData(1000, "40eb4a70d4d69815407a9e272f0101cd67e3d11262a4a0bfc087712749c7fb53")]
    [InlineData(1_000_000, "9a59a052930187a97038cae692f30708aa6491923ef5194394dc68d56c74fb21")]
    public void Should_pad_every_length_correctly(int length, string expected)
    {
        Assert.Equal(expected, Hash(Encoding.ASCII.GetBytes(new string('a', length))));
    }

    [Fact]
    public void Should_differ_from_a_truncated_SHA_512()
    {
        var input = "abc"u8.ToArray();

        Assert.NotEqual(Convert.ToHexStringLower(SHA512.HashData(input))[..64], Hash(input));
    }

    [Fact]
    public void Should_refuse_a_destination_shorter_than_32_bytes()
    {
        Assert.Throws<ArgumentException>(() => Sha512_256.HashData("abc"u8, new byte[31]));
    }
}
