using SipActors.Sip.Auth;

namespace SipActors.Sip.Tests.Auth;

public class DigestChallengeTests
{
    [Fact]
    public void Should_read_every_parameter_of_a_challenge()
    {
        Assert.True(DigestChallenge.TryParse(
            "digest realm=\"sip.example.com\",nonce=\"abc\\\"def\" , opaque=\"op\", algorithm=sha-256, qop=\"auth,auth-int\", stale=TRUE, domain=\"sip:example.com\", unknown=x",
            out var c, out var error), error);

        Assert.Equal(("sip.example.com", "abc\"def", "op"), (c.Realm, c.Nonce, c.Opaque));
        Assert.Equal(DigestAlgorithm.Sha256, c.Algorithm);
        Assert.Equal("sha-256", c.AlgorithmName);
        Assert.Equal(["auth", "auth-int"], c.Qop);
        Assert.True(c.Stale);
        Assert.True(c.IsSupported);
        Assert.Equal("sip:example.com", c.Domain);
    }

    [Fact]
    public void Should_default_to_md5_and_flag_an_unknown_algorithm()
    {
        Assert.True(DigestChallenge.TryParse("Digest realm=\"r\", nonce=\"n\"", out var plain, out _));
        Assert.True(DigestChallenge.TryParse("Digest realm=\"r\", nonce=\"n\", algorithm=SHA3-512", out var unknown, out _));

        Assert.Equal(DigestAlgorithm.Md5, plain.Algorithm);
        Assert.Empty(plain.Qop);
        Assert.False(unknown.IsSupported);
    }

    [Fact]
    public void Should_pick_the_first_challenge_it_supports()
    {
        var selected = DigestChallenge.SelectFirstSupported(
        [
            "Basic realm=\"r\"",
            "Digest realm=\"r\", nonce=\"1\", algorithm=SHA3-512",
            "Digest realm=\"r\", nonce=\"broken",
            "Digest realm=\"r\", nonce=\"2\", algorithm=SHA-256",
            "Digest realm=\"r\", nonce=\"3\", algorithm=MD5",
        ]);

        Assert.Equal(("2", DigestAlgorithm.Sha256), (selected!.Nonce, selected.Algorithm));
        Assert.Null(DigestChallenge.SelectFirstSupported(["Basic realm=\"r\""]));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("Basic realm=\"x\"", "not Digest")]
    [InlineData("Digest", "no realm")]
    [InlineData("Digest realm=\"r\"", "no nonce")]
    [InlineData("Digest realm=\"r\", nonce=\"unterminated", "not terminated")]
    [InlineData("Digest realm=\"r\", realm=\"s\", nonce=\"n\"", "twice")]
    [InlineData("Digest realm=\"r\" junk, nonce=\"n\"", "junk")]
    [InlineData("Digest garbage", "no value")]
    [InlineData("Digest realm=\"r\", nonce=a b", "invalid token")]
    public void Should_refuse_malformed_challenges_with_a_reason(string value, string reason)
    {
        Assert.False(DigestChallenge.TryParse(value, out var challenge, out var error));
        Assert.Null(challenge);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_never_throw_on_random_input()
    {
        var random = new Random(4475);
        const string alphabet = "Digest realm=nonce\"\\, qop=auth-int;algorithm=MD5-sess\t\r\n\u00e4";
        for (var i = 0; i < 5000; i++)
        {
            var chars = new char[random.Next(0, 60)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = alphabet[random.Next(alphabet.Length)];
            }
            DigestChallenge.TryParse(new string(chars), out _, out _);
        }
    }
}
