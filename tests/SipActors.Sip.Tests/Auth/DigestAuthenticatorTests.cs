using System.Security.Cryptography;
using System.Text;
using SipActors.Sip.Auth;

namespace SipActors.Sip.Tests.Auth;

public class DigestAuthenticatorTests
{
    private static DigestChallenge Challenge(string value)
    {
        Assert.True(DigestChallenge.TryParse(value, out var challenge, out var error), error);
        return challenge;
    }

    private static string Param(string authorization, string name)
    {
        var at = authorization.IndexOf(name + "=", StringComparison.Ordinal);
        Assert.True(at >= 0, $"{name} missing in {authorization}");
        var rest = authorization[(at + name.Length + 1)..];
        return rest.StartsWith('"') ? rest[1..rest.IndexOf('"', 1)] : rest.Split(',')[0].Trim();
    }

    [Fact]
    public void Should_reproduce_the_RFC_2617_worked_example()
    {
        var challenge = Challenge("Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");

        var value = new DigestAuthenticator().CreateAuthorization(challenge, new DigestCredentials("Mufasa", "Circle Of Life"),
            "GET", "/dir/index.html", default, "0a4f113b", 1);

        Assert.Equal("6629fae49393a05397450978507c4ef1", Param(value, "response"));
        Assert.Equal("auth", Param(value, "qop"));
        Assert.Equal("00000001", Param(value, "nc"));
        Assert.Equal("5ccc069c403ebaf9f0171e9517f40e41", Param(value, "opaque"));
        Assert.DoesNotContain("algorithm", value, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MD5", "8ca523f5e9506fed4657c9700eebdbec")]
    [InlineData("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1")]
    public void Should_reproduce_the_RFC_7616_examples(string algorithm, string expected)
    {
        var challenge = Challenge($"Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm={algorithm}, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"");

        var value = new DigestAuthenticator().CreateAuthorization(challenge, new DigestCredentials("Mufasa", "Circle of Life"),
            "GET", "/dir/index.html", default, "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", 1);

        Assert.Equal(expected, Param(value, "response"));
        Assert.Equal(algorithm, Param(value, "algorithm"));
        Assert.Equal("f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", Param(value, "cnonce"));
    }

    [Fact]
    public void Should_compute_the_RFC_7616_SHA_512_256_example_with_userhash()
    {
        // RFC 7616 §3.9.2 prints username 488869477b... and response ae66e67d...; erratum 4897 reports
        // those values as wrong. The values below were computed independently (OpenSSL's SHA-512/256
        // through Python's hashlib) from the example's inputs.
        var challenge = Challenge("Digest realm=\"api@example.org\", qop=\"auth\", algorithm=SHA-512-256, nonce=\"5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK\", opaque=\"HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS\", charset=UTF-8, userhash=true");

        var value = new DigestAuthenticator().CreateAuthorization(challenge, new DigestCredentials("J\u00e4s\u00f8n Doe", "Secret, or not?"),
            "GET", "/doe.json", default, "NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v", 1);

        Assert.Equal("793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b", Param(value, "username"));
        Assert.Equal("3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5", Param(value, "response"));
        Assert.Contains("userhash=true", value, StringComparison.Ordinal);
        Assert.Equal("UTF-8", challenge.Charset);
    }

    [Theory]
    [InlineData("", "c672b8d1ef56ed28ab87c3622c5114069bdd3ad7b8f9737498d0c01ecef0967a")]
    [InlineData("abc", "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23")]
    public void Should_hash_SHA_512_256_as_FIPS_180_4(string input, string expected)
    {
        var hash = new byte[32];
        Sha512_256.HashData(Encoding.ASCII.GetBytes(input), hash);

        Assert.Equal(expected, Convert.ToHexStringLower(hash));
    }

    [Fact]
    public void Should_hash_SHA_512_256_across_several_blocks()
    {
        var hash = new byte[32];
        Sha512_256.HashData(Encoding.ASCII.GetBytes(new string('a', 1000)), hash);

        Assert.Equal("40eb4a70d4d69815407a9e272f0101cd67e3d11262a4a0bfc087712749c7fb53", Convert.ToHexStringLower(hash));
    }

    private static string Md5Hex(string s) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(s)));

    [Fact]
    public void Should_compute_md5_sess_auth_int_and_the_rfc_2069_form()
    {
        var credentials = new DigestCredentials("alice", "pw-alice");
        var body = "hello"u8.ToArray();
        var authenticator = new DigestAuthenticator();

        var sess = authenticator.CreateAuthorization(Challenge("Digest realm=\"r\", nonce=\"n\", qop=\"auth\", algorithm=MD5-sess"), credentials, "REGISTER", "sip:h", default, "c", 1);
        var authInt = authenticator.CreateAuthorization(Challenge("Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\""), credentials, "MESSAGE", "sip:b@h", body, "c", 2);
        var noQop = authenticator.CreateAuthorization(Challenge("Digest realm=\"r\", nonce=\"n\""), credentials, "REGISTER", "sip:h", default, "c", 1);

        var ha1Sess = Md5Hex($"{Md5Hex("alice:r:pw-alice")}:n:c");
        Assert.Equal(Md5Hex($"{ha1Sess}:n:00000001:c:auth:{Md5Hex("REGISTER:sip:h")}"), Param(sess, "response"));
        Assert.Equal("MD5-sess", Param(sess, "algorithm"));
        var ha1 = Md5Hex("alice:r:pw-alice");
        Assert.Equal(Md5Hex($"{ha1}:n:00000002:c:auth-int:{Md5Hex($"MESSAGE:sip:b@h:{Md5Hex("hello")}")}"), Param(authInt, "response"));
        Assert.Equal("auth-int", Param(authInt, "qop"));
        Assert.Equal(Md5Hex($"{ha1}:n:{Md5Hex("REGISTER:sip:h")}"), Param(noQop, "response"));
        Assert.DoesNotContain("cnonce", noQop, StringComparison.Ordinal);
        Assert.DoesNotContain("nc=", noQop, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_count_uses_of_a_nonce_and_restart_for_a_new_one()
    {
        var authenticator = new DigestAuthenticator();
        var credentials = new DigestCredentials("alice", "pw-alice");
        var first = Challenge("Digest realm=\"r\", nonce=\"one\", qop=\"auth\"");
        var second = Challenge("Digest realm=\"r\", nonce=\"two\", qop=\"auth\"");

        var values = new[]
        {
            authenticator.CreateAuthorization(first, credentials, "REGISTER", "sip:h"),
            authenticator.CreateAuthorization(first, credentials, "REGISTER", "sip:h"),
            authenticator.CreateAuthorization(second, credentials, "REGISTER", "sip:h"),
        };

        Assert.Equal(["00000001", "00000002", "00000001"], values.Select(v => Param(v, "nc")));
        Assert.NotEqual(Param(values[0], "cnonce"), Param(values[1], "cnonce"));
        Assert.All(values, v => Assert.DoesNotContain("pw-alice", v, StringComparison.Ordinal));
    }

    [Fact]
    public void Should_never_print_the_password()
    {
        var credentials = new DigestCredentials("alice", "s3cret-pass");

        Assert.DoesNotContain("s3cret-pass", credentials.ToString(), StringComparison.Ordinal);
        Assert.Contains("alice", credentials.ToString(), StringComparison.Ordinal);
    }
}
