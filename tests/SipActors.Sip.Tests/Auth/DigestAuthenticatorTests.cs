using System.Security.Cryptography;
using System.Text;
using SipActors.Sip.Auth;

namespace SipActors.Sip.Tests.Auth;

public class DigestAuthenticatorTests
{
    private const string Rfc7616Nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
    private const string Rfc7616Cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    private const string Rfc7616Opaque = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS";

    private static readonly DigestCredentials Alice = new("alice", "pw-alice");

    private static DigestChallenge Challenge(string value)
    {
        Assert.True(DigestChallenge.TryParse(value, out var challenge, out var error), error);
        return challenge;
    }

    private static string Hex(Func<byte[], byte[]> hash, string text) => Convert.ToHexStringLower(hash(Encoding.UTF8.GetBytes(text)));

    private static string Md5(string text) => Hex(MD5.HashData, text);

    private static string Sha256(string text) => Hex(SHA256.HashData, text);

    [Fact]
    public void Should_reproduce_the_RFC_2617_worked_example()
    {
        // RFC 2617 §3.5. The RFC's printed request omits algorithm (MD5 by default).
        var challenge = Challenge("Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");

        var value = new DigestAuthenticator().CreateAuthorization(challenge, new DigestCredentials("Mufasa", "Circle Of Life"),
            "GET", "/dir/index.html", default, "0a4f113b", 1);

        Assert.Equal(
            "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", "
            + "response=\"6629fae49393a05397450978507c4ef1\", cnonce=\"0a4f113b\", qop=auth, nc=00000001, opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
            value);
    }

    [Fact]
    public void Should_reproduce_the_RFC_7616_MD5_example_exactly()
    {
        // RFC 7616 §3.9.1, first response.
        var challenge = Challenge($"Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=MD5, nonce=\"{Rfc7616Nonce}\", opaque=\"{Rfc7616Opaque}\"");

        var value = new DigestAuthenticator().CreateAuthorization(challenge, new DigestCredentials("Mufasa", "Circle of Life"),
            "GET", "/dir/index.html", default, Rfc7616Cnonce, 1);

        Assert.Equal(
            $"Digest username=\"Mufasa\", realm=\"http-auth@example.org\", nonce=\"{Rfc7616Nonce}\", uri=\"/dir/index.html\", "
            + $"response=\"8ca523f5e9506fed4657c9700eebdbec\", algorithm=MD5, cnonce=\"{Rfc7616Cnonce}\", qop=auth, nc=00000001, opaque=\"{Rfc7616Opaque}\"",
            value);
    }

    [Fact]
    public void Should_reproduce_the_RFC_7616_SHA_256_example()
    {
        // RFC 7616 §3.9.1, second response: the same exchange with algorithm=SHA-256.
        var challenge = Challenge($"Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=SHA-256, nonce=\"{Rfc7616Nonce}\", opaque=\"{Rfc7616Opaque}\"");

        var value = new DigestAuthenticator().CreateAuthorization(challenge, new DigestCredentials("Mufasa", "Circle of Life"),
            "GET", "/dir/index.html", default, Rfc7616Cnonce, 1);

        Assert.Equal("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", AuthorizationValue.Require(value, "response"));
        Assert.Equal("SHA-256", AuthorizationValue.Require(value, "algorithm"));
        Assert.Equal(Rfc7616Opaque, AuthorizationValue.Require(value, "opaque"));
    }

    [Fact]
    public void Should_compute_the_RFC_7616_SHA_512_256_userhash_example_with_the_FIPS_hash()
    {
        // RFC 7616 §3.9.2 prints username 488869477b... and response ae66e67d...: those are what a SHA-512
        // truncated to 256 bits gives, not FIPS 180-4 SHA-512/256 (erratum 4897, "Reported"). The values
        // below are the example's inputs run through OpenSSL's SHA-512/256 (Python hashlib).
        var challenge = Challenge("Digest realm=\"api@example.org\", qop=\"auth\", algorithm=SHA-512-256, nonce=\"5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK\", opaque=\"HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS\", charset=UTF-8, userhash=true");

        var value = new DigestAuthenticator().CreateAuthorization(challenge, new DigestCredentials("J\u00e4s\u00f8n Doe", "Secret, or not?"),
            "GET", "/doe.json", default, "NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v", 1);

        Assert.Equal("793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b", AuthorizationValue.Require(value, "username"));
        Assert.Equal("3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5", AuthorizationValue.Require(value, "response"));
        Assert.Equal("SHA-512-256", AuthorizationValue.Require(value, "algorithm"));
        Assert.Equal("true", AuthorizationValue.Require(value, "userhash"));
        Assert.Equal("UTF-8", challenge.Charset);
        Assert.DoesNotContain("J\u00e4s\u00f8n", value, StringComparison.Ordinal);
        Assert.DoesNotContain("488869477bf257147b804c45308cd62ac4e25eb717b12b298c79e62dcea254ec", value, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_compute_md5_sess_with_the_cnonce_in_A1()
    {
        var challenge = Challenge("Digest realm=\"r\", nonce=\"n\", qop=\"auth\", algorithm=MD5-sess");

        var value = new DigestAuthenticator().CreateAuthorization(challenge, Alice, "REGISTER", "sip:h", default, "c", 1);

        var ha1 = Md5($"{Md5("alice:r:pw-alice")}:n:c");
        Assert.Equal(Md5($"{ha1}:n:00000001:c:auth:{Md5("REGISTER:sip:h")}"), AuthorizationValue.Require(value, "response"));
        Assert.Equal("MD5-sess", AuthorizationValue.Require(value, "algorithm"));
    }

    [Fact]
    public void Should_compute_sha_256_sess()
    {
        var challenge = Challenge("Digest realm=\"r\", nonce=\"n\", qop=\"auth\", algorithm=sha-256-SESS");

        var value = new DigestAuthenticator().CreateAuthorization(challenge, Alice, "REGISTER", "sip:h", default, "c", 7);

        var ha1 = Sha256($"{Sha256("alice:r:pw-alice")}:n:c");
        Assert.Equal(Sha256($"{ha1}:n:00000007:c:auth:{Sha256("REGISTER:sip:h")}"), AuthorizationValue.Require(value, "response"));
        Assert.Equal("SHA-256-sess", AuthorizationValue.Require(value, "algorithm"));
    }

    [Fact]
    public void Should_compute_sha_512_256_sess_with_auth_int()
    {
        // Expected value from OpenSSL's SHA-512/256 (Python hashlib) over the RFC 7616 §3.4.2/§3.4.3 formulas.
        var challenge = Challenge("Digest realm=\"sip.example.com\", nonce=\"n0nce/+=\", qop=\"auth-int\", algorithm=SHA-512-256-sess");

        var value = new DigestAuthenticator().CreateAuthorization(challenge, new DigestCredentials("alice", "pw \"x\"\\y"),
            "MESSAGE", "sip:bob@example.com", "hello\r\n"u8, "c0ffee", 3);

        Assert.Equal("759f6a4e57c8f4063335ec7a0bcb3ce6f09d0e6c10d5dda8ca9d9c9af2a702c1", AuthorizationValue.Require(value, "response"));
        Assert.Equal("auth-int", AuthorizationValue.Require(value, "qop"));
    }

    [Fact]
    public void Should_hash_the_body_into_A2_for_auth_int()
    {
        var challenge = Challenge("Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\"");
        var authenticator = new DigestAuthenticator();

        var withBody = authenticator.CreateAuthorization(challenge, Alice, "MESSAGE", "sip:b@h", "hello"u8, "c", 2);
        var otherBody = authenticator.CreateAuthorization(challenge, Alice, "MESSAGE", "sip:b@h", "hellO"u8, "c", 2);
        var noBody = authenticator.CreateAuthorization(challenge, Alice, "MESSAGE", "sip:b@h", default, "c", 2);

        var ha1 = Md5("alice:r:pw-alice");
        Assert.Equal(Md5($"{ha1}:n:00000002:c:auth-int:{Md5($"MESSAGE:sip:b@h:{Md5("hello")}")}"), AuthorizationValue.Require(withBody, "response"));
        Assert.Equal(Md5($"{ha1}:n:00000002:c:auth-int:{Md5($"MESSAGE:sip:b@h:{Md5("")}")}"), AuthorizationValue.Require(noBody, "response"));
        Assert.NotEqual(AuthorizationValue.Require(withBody, "response"), AuthorizationValue.Require(otherBody, "response"));
        Assert.Equal("auth-int", AuthorizationValue.Require(withBody, "qop"));
    }

    [Fact]
    public void Should_prefer_auth_over_auth_int_whatever_the_order()
    {
        var challenge = Challenge("Digest realm=\"r\", nonce=\"n\", qop=\"auth-int, AUTH\"");

        var value = new DigestAuthenticator().CreateAuthorization(challenge, Alice, "REGISTER", "sip:h", "ignored"u8, "c", 1);

        Assert.Equal("auth", AuthorizationValue.Require(value, "qop"));
        Assert.Equal(Md5($"{Md5("alice:r:pw-alice")}:n:00000001:c:auth:{Md5("REGISTER:sip:h")}"), AuthorizationValue.Require(value, "response"));
    }

    [Fact]
    public void Should_use_the_RFC_2069_form_when_no_qop_is_offered()
    {
        var challenge = Challenge("Digest realm=\"r\", nonce=\"n\"");

        var value = new DigestAuthenticator().CreateAuthorization(challenge, Alice, "REGISTER", "sip:h");

        Assert.Equal(
            $"Digest username=\"alice\", realm=\"r\", nonce=\"n\", uri=\"sip:h\", response=\"{Md5($"{Md5("alice:r:pw-alice")}:n:{Md5("REGISTER:sip:h")}")}\"",
            value);
    }

    [Fact]
    public void Should_send_a_cnonce_but_no_nc_for_a_sess_challenge_without_qop()
    {
        // A1 of a -sess algorithm contains the cnonce: the server needs it even in the old form.
        var challenge = Challenge("Digest realm=\"r\", nonce=\"n\", algorithm=MD5-sess");

        var value = new DigestAuthenticator().CreateAuthorization(challenge, Alice, "REGISTER", "sip:h");

        var cnonce = AuthorizationValue.Require(value, "cnonce");
        Assert.Equal(Md5($"{Md5($"{Md5("alice:r:pw-alice")}:n:{cnonce}")}:n:{Md5("REGISTER:sip:h")}"), AuthorizationValue.Require(value, "response"));
        Assert.Null(AuthorizationValue.Get(value, "nc"));
        Assert.Null(AuthorizationValue.Get(value, "qop"));
    }

    [Fact]
    public void Should_write_parameters_in_a_fixed_order_and_only_those_that_apply()
    {
        var full = Challenge("Digest realm=\"r\", nonce=\"n\", qop=\"auth\", algorithm=SHA-256, opaque=\"o\", userhash=true");
        var bare = Challenge("Digest realm=\"r\", nonce=\"n\", qop=\"auth\"");

        var fullValue = new DigestAuthenticator().CreateAuthorization(full, Alice, "REGISTER", "sip:h", default, "c", 1);
        var bareValue = new DigestAuthenticator().CreateAuthorization(bare, Alice, "REGISTER", "sip:h", default, "c", 1);

        Assert.Equal(["username", "realm", "nonce", "uri", "response", "algorithm", "cnonce", "qop", "nc", "opaque", "userhash"], AuthorizationValue.Names(fullValue));
        Assert.Equal(["username", "realm", "nonce", "uri", "response", "cnonce", "qop", "nc"], AuthorizationValue.Names(bareValue));
    }

    [Fact]
    public void Should_escape_quotes_and_backslashes_in_quoted_values()
    {
        var challenge = Challenge("Digest realm=\"a \\\"b\\\" \\\\c\", nonce=\"n\\\\1\", qop=auth, opaque=\"x\\\"y\"");
        var credentials = new DigestCredentials("us\"er\\", "pw");

        var value = new DigestAuthenticator().CreateAuthorization(challenge, credentials, "REGISTER", "sip:h", default, "c", 1);

        Assert.StartsWith("Digest username=\"us\\\"er\\\\\", realm=\"a \\\"b\\\" \\\\c\", nonce=\"n\\\\1\", ", value, StringComparison.Ordinal);
        Assert.EndsWith(", opaque=\"x\\\"y\"", value, StringComparison.Ordinal);
        // The unescaped values are what the hash covers.
        Assert.Equal(Md5($"{Md5("us\"er\\:a \"b\" \\c:pw")}:n\\1:00000001:c:auth:{Md5("REGISTER:sip:h")}"), AuthorizationValue.Require(value, "response"));
    }

    [Fact]
    public void Should_produce_a_value_the_registrar_side_parser_reads_back()
    {
        var challenge = Challenge("Digest realm=\"sip.example.com\", nonce=\"abc\", qop=\"auth\", algorithm=SHA-256");
        var credentials = new DigestCredentials("wei\u00df\"\\", "pw");

        var value = new DigestAuthenticator().CreateAuthorization(challenge, credentials, "REGISTER", "sip:sip.example.com");

        Assert.True(DigestParameters.TryParse(value, out var p, out var error), error);
        Assert.Equal("wei\u00df\"\\", p["username"]);
        var expected = DigestCalculator.Response(DigestAlgorithm.Sha256, p["username"], p["realm"], "pw", p["nonce"], p["cnonce"], p["nc"], p["qop"],
            "REGISTER", p["uri"], default);
        Assert.Equal(expected, p["response"]);
    }

    [Fact]
    public void Should_count_uses_of_a_nonce_and_restart_for_a_new_one()
    {
        var authenticator = new DigestAuthenticator();
        var first = Challenge("Digest realm=\"r\", nonce=\"one\", qop=\"auth\"");
        var second = Challenge("Digest realm=\"r\", nonce=\"two\", qop=\"auth\"");

        var values = new[]
        {
            authenticator.CreateAuthorization(first, Alice, "REGISTER", "sip:h"),
            authenticator.CreateAuthorization(first, Alice, "REGISTER", "sip:h"),
            authenticator.CreateAuthorization(first, Alice, "REGISTER", "sip:h"),
            authenticator.CreateAuthorization(second, Alice, "REGISTER", "sip:h"),
            authenticator.CreateAuthorization(second, Alice, "REGISTER", "sip:h"),
        };

        Assert.Equal(["00000001", "00000002", "00000003", "00000001", "00000002"], values.Select(v => AuthorizationValue.Require(v, "nc")));
    }

    [Fact]
    public void Should_keep_a_separate_count_per_nonce_when_a_registrar_and_a_proxy_challenge_in_turn()
    {
        // 401 from the registrar and 407 from a proxy: the same value format goes in Authorization or
        // Proxy-Authorization, and each nonce keeps its own nc.
        var authenticator = new DigestAuthenticator();
        var registrar = Challenge("Digest realm=\"registrar\", nonce=\"r-nonce\", qop=\"auth\"");
        var proxy = Challenge("Digest realm=\"proxy\", nonce=\"p-nonce\", qop=\"auth\"");

        var counts = new[] { registrar, proxy, registrar, proxy, registrar }
            .Select(c => AuthorizationValue.Require(authenticator.CreateAuthorization(c, Alice, "INVITE", "sip:bob@h"), "nc"));

        Assert.Equal(["00000001", "00000001", "00000002", "00000002", "00000003"], counts);
    }

    [Fact]
    public void Should_forget_the_least_recently_used_nonce_beyond_four()
    {
        var authenticator = new DigestAuthenticator();
        string Nc(string nonce) => AuthorizationValue.Require(
            authenticator.CreateAuthorization(Challenge($"Digest realm=\"r\", nonce=\"{nonce}\", qop=auth"), Alice, "REGISTER", "sip:h"), "nc");

        Nc("a");
        Nc("a");
        Nc("b");
        Nc("c");
        Nc("d");
        Assert.Equal("00000003", Nc("a"));
        Nc("e");

        Assert.Equal("00000001", Nc("b"));
        Assert.Equal("00000004", Nc("a"));
    }

    [Fact]
    public void Should_use_a_fresh_random_hex_cnonce_each_time()
    {
        var authenticator = new DigestAuthenticator();
        var challenge = Challenge("Digest realm=\"r\", nonce=\"n\", qop=\"auth\"");

        var cnonces = Enumerable.Range(0, 50)
            .Select(_ => AuthorizationValue.Require(authenticator.CreateAuthorization(challenge, Alice, "REGISTER", "sip:h"), "cnonce"))
            .ToList();

        Assert.All(cnonces, c => Assert.Matches("^[0-9a-f]{32}$", c));
        Assert.Equal(cnonces.Count, cnonces.Distinct().Count());
    }

    [Fact]
    public void Should_verify_against_the_cnonce_and_nc_it_sent()
    {
        var challenge = Challenge("Digest realm=\"r\", nonce=\"n\", qop=\"auth\", algorithm=SHA-256");

        var value = new DigestAuthenticator().CreateAuthorization(challenge, Alice, "REGISTER", "sip:h");

        var cnonce = AuthorizationValue.Require(value, "cnonce");
        Assert.Equal(Sha256($"{Sha256("alice:r:pw-alice")}:n:00000001:{cnonce}:auth:{Sha256("REGISTER:sip:h")}"), AuthorizationValue.Require(value, "response"));
    }

    [Fact]
    public void Should_refuse_a_challenge_it_cannot_answer_without_leaking_the_password()
    {
        var unknownAlgorithm = Challenge("Digest realm=\"r\", nonce=\"n\", algorithm=AKAv1-MD5");
        var unknownQop = Challenge("Digest realm=\"r\", nonce=\"n\", qop=\"auth-conf\"");
        var credentials = new DigestCredentials("alice", "s3cret-pass");

        var algorithmError = Assert.Throws<NotSupportedException>(() => new DigestAuthenticator().CreateAuthorization(unknownAlgorithm, credentials, "REGISTER", "sip:h"));
        var qopError = Assert.Throws<NotSupportedException>(() => new DigestAuthenticator().CreateAuthorization(unknownQop, credentials, "REGISTER", "sip:h"));

        Assert.Contains("AKAv1-MD5", algorithmError.Message, StringComparison.Ordinal);
        Assert.Contains("auth-conf", qopError.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pass", algorithmError.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pass", qopError.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("REGISTER", "sip:h\r\nX-Injected: 1")]
    [InlineData("REG ISTER", "sip:h")]
    [InlineData("", "sip:h")]
    [InlineData("REGISTER", "")]
    public void Should_reject_a_method_or_uri_that_would_break_the_header(string method, string uri)
    {
        var challenge = Challenge("Digest realm=\"r\", nonce=\"n\", qop=auth");
        var credentials = new DigestCredentials("alice", "s3cret-pass");

        var error = Assert.ThrowsAny<ArgumentException>(() => new DigestAuthenticator().CreateAuthorization(challenge, credentials, method, uri));

        Assert.DoesNotContain("s3cret-pass", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_never_put_the_password_in_the_value_or_any_ToString()
    {
        var challenge = Challenge("Digest realm=\"r\", nonce=\"n\", qop=\"auth\"");
        var credentials = new DigestCredentials("alice", "s3cret-pass");
        var authenticator = new DigestAuthenticator();

        var value = authenticator.CreateAuthorization(challenge, credentials, "REGISTER", "sip:h");

        Assert.DoesNotContain("s3cret-pass", value, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pass", challenge.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pass", credentials.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pass", authenticator.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_handle_values_too_long_for_the_stack()
    {
        var nonce = new string('n', 3000);
        var challenge = Challenge($"Digest realm=\"r\", nonce=\"{nonce}\", qop=\"auth\", opaque=\"{new string('o', 2000)}\"");
        var credentials = new DigestCredentials(new string('u', 1500), new string('p', 1500));

        var value = new DigestAuthenticator().CreateAuthorization(challenge, credentials, "REGISTER", "sip:h", default, "c", 1);

        var ha1 = Md5($"{credentials.Username}:r:{new string('p', 1500)}");
        Assert.Equal(Md5($"{ha1}:{nonce}:00000001:c:auth:{Md5("REGISTER:sip:h")}"), AuthorizationValue.Require(value, "response"));
        Assert.Equal(nonce, AuthorizationValue.Require(value, "nonce"));
    }

    [Theory]
    [InlineData("Digest realm=\"127.0.0.1\", nonce=\"ZTk4NjQ5MmQ2YzAyYWRmNjQ1YzQ=\", qop=\"auth\"")]
    [InlineData("Digest realm=\"127.0.0.1\", nonce=\"ZTk4NjQ5MmQ2YzAyYWRmNjQ1YzQ=\", qop=\"auth\", algorithm=SHA-256, opaque=\"xyz\"")]
    public void Should_allocate_only_the_value_itself(string challengeText)
    {
        var challenge = Challenge(challengeText);
        var authenticator = new DigestAuthenticator();
        for (var i = 0; i < 100; i++)
        {
            authenticator.CreateAuthorization(challenge, Alice, "REGISTER", "sip:127.0.0.1");
        }

        const int Calls = 1000;
        var length = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Calls; i++)
        {
            length = authenticator.CreateAuthorization(challenge, Alice, "REGISTER", "sip:127.0.0.1").Length;
        }
        var perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / Calls;

        // A string of n chars is about 22 + 2n bytes on 64-bit; anything more is a hidden allocation.
        Assert.InRange(perCall, 0, 24 + 2 * length + 8);
    }
}
