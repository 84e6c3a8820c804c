using SipActors.Sip.Auth;

namespace SipActors.Sip.Tests.Auth;

public class DigestChallengeTests
{
    [Fact]
    public void Should_read_every_parameter_of_a_challenge()
    {
        Assert.True(DigestChallenge.TryParse(
            "digest realm=\"sip.example.com\",nonce=\"abc\\\"def\" , OPAQUE=\"op\", algorithm=sha-256, qop=\"auth,auth-int\", stale=TRUE, domain=\"sip:example.com sip:b.example.com\", charset=UTF-8, userhash=true, unknown=x, other=\"y\"",
            out var c, out var error), error);

        Assert.Equal(("sip.example.com", "abc\"def", "op"), (c.Realm, c.Nonce, c.Opaque));
        Assert.Equal(DigestAlgorithm.Sha256, c.Algorithm);
        Assert.Equal("sha-256", c.AlgorithmName);
        Assert.Equal(["auth", "auth-int"], c.Qop);
        Assert.True(c.Stale);
        Assert.True(c.IsSupported);
        Assert.True(c.UserHash);
        Assert.Equal("UTF-8", c.Charset);
        Assert.Equal("sip:example.com sip:b.example.com", c.Domain);
    }

    [Fact]
    public void Should_default_to_md5_without_qop_opaque_or_flags()
    {
        Assert.True(DigestChallenge.TryParse("Digest realm=\"r\", nonce=\"n\"", out var c, out var error), error);

        Assert.Equal(DigestAlgorithm.Md5, c.Algorithm);
        Assert.Null(c.AlgorithmName);
        Assert.Empty(c.Qop);
        Assert.Null(c.Opaque);
        Assert.False(c.Stale);
        Assert.False(c.UserHash);
        Assert.True(c.IsSupported);
    }

    [Theory]
    [InlineData("stale=true", true)]
    [InlineData("stale=\"true\"", true)]
    [InlineData("stale=TRUE", true)]
    [InlineData("stale=false", false)]
    [InlineData("stale=yes", false)]
    public void Should_read_stale(string parameter, bool expected)
    {
        Assert.True(DigestChallenge.TryParse($"Digest realm=\"r\", nonce=\"n2\", {parameter}", out var c, out var error), error);

        Assert.Equal(expected, c.Stale);
    }

    [Theory]
    [InlineData("MD5", DigestAlgorithm.Md5)]
    [InlineData("md5-SESS", DigestAlgorithm.Md5Sess)]
    [InlineData("SHA-256", DigestAlgorithm.Sha256)]
    [InlineData("SHA-256-sess", DigestAlgorithm.Sha256Sess)]
    [InlineData("SHA-512-256", DigestAlgorithm.Sha512_256)]
    [InlineData("\"SHA-512-256-sess\"", DigestAlgorithm.Sha512_256Sess)]
    public void Should_recognise_every_algorithm_token(string token, DigestAlgorithm expected)
    {
        Assert.True(DigestChallenge.TryParse($"Digest realm=\"r\", nonce=\"n\", algorithm={token}", out var c, out var error), error);

        Assert.Equal(expected, c.Algorithm);
        Assert.True(c.IsSupported);
        Assert.Equal(token.Trim('"'), expected.ToToken(), StringComparer.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("algorithm=SHA3-512")]
    [InlineData("algorithm=AKAv1-MD5")]
    [InlineData("algorithm=SHA-512")]
    [InlineData("qop=\"auth-conf\"")]
    public void Should_flag_a_challenge_it_cannot_answer(string parameter)
    {
        Assert.True(DigestChallenge.TryParse($"Digest realm=\"r\", nonce=\"n\", {parameter}", out var c, out var error), error);

        Assert.False(c.IsSupported);
    }

    [Fact]
    public void Should_pick_the_first_challenge_it_supports()
    {
        var selected = DigestChallenge.SelectFirstSupported(
        [
            "Basic realm=\"r\"",
            "Digest realm=\"r\", nonce=\"1\", algorithm=SHA3-512",
            "Digest realm=\"r\", nonce=\"broken",
            "Digest realm=\"r\", nonce=\"qop\", qop=\"auth-conf\"",
            "Digest realm=\"r\", nonce=\"2\", algorithm=SHA-256",
            "Digest realm=\"r\", nonce=\"3\", algorithm=MD5",
        ]);

        Assert.NotNull(selected);
        Assert.Equal(("2", DigestAlgorithm.Sha256), (selected.Nonce, selected.Algorithm));
    }

    [Fact]
    public void Should_keep_the_servers_order_of_preference()
    {
        var selected = DigestChallenge.SelectFirstSupported(
        [
            "Digest realm=\"r\", nonce=\"1\", algorithm=MD5",
            "Digest realm=\"r\", nonce=\"2\", algorithm=SHA-256",
        ]);

        Assert.Equal(DigestAlgorithm.Md5, selected?.Algorithm);
    }

    [Fact]
    public void Should_select_nothing_when_no_challenge_fits()
    {
        Assert.Null(DigestChallenge.SelectFirstSupported(["Basic realm=\"r\"", "Digest realm=\"r\", nonce=\"1\", algorithm=SHA3-512", ""]));
        Assert.Null(DigestChallenge.SelectFirstSupported([]));
    }

    [Theory]
    [InlineData("Digest\trealm=\"r\",\tnonce=\"n\"")]
    [InlineData("  Digest   realm = \"r\" ,  nonce =  \"n\"  ")]
    [InlineData("Digest realm=\"r\",\r\n nonce=\"n\"")]
    [InlineData("Digest\r\n\trealm=\"r\",\r\n\tnonce=\"n\"\r\n")]
    [InlineData("Digest , realm=\"r\",, nonce=\"n\",")]
    [InlineData("DIGEST realm=r, nonce=n")]
    public void Should_tolerate_linear_whitespace_and_empty_list_elements(string value)
    {
        Assert.True(DigestChallenge.TryParse(value, out var c, out var error), error);

        Assert.Equal(("r", "n"), (c.Realm, c.Nonce));
    }

    [Fact]
    public void Should_unescape_quoted_pairs_and_unfold_lines_in_quoted_values()
    {
        Assert.True(DigestChallenge.TryParse("Digest realm=\"a\\\\b\\\"c\\d\", nonce=\"one\r\n two\", opaque=\"\"", out var c, out var error), error);

        Assert.Equal("a\\b\"cd", c.Realm);
        Assert.Equal("one two", c.Nonce);
        Assert.Equal("", c.Opaque);
    }

    [Fact]
    public void Should_accept_base64_nonces_sent_unquoted()
    {
        Assert.True(DigestChallenge.TryParse("Digest realm=r, nonce=ab+c/d==, qop=auth", out var c, out var error), error);

        Assert.Equal("ab+c/d==", c.Nonce);
        Assert.Equal(["auth"], c.Qop);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData(null, "empty")]
    [InlineData("Basic realm=\"x\"", "'Basic' is not Digest")]
    [InlineData("Bearer", "'Bearer' is not Digest")]
    [InlineData("Digestrealm=\"r\", nonce=\"n\"", "not Digest")]
    [InlineData("Digest", "no realm")]
    [InlineData("Digest realm=\"r\"", "no nonce")]
    [InlineData("Digest realm=\"r\", nonce=\"\"", "empty nonce")]
    [InlineData("Digest nonce=\"n\"", "no realm")]
    [InlineData("Digest realm=\"r\", nonce=\"unterminated", "'nonce' is not terminated")]
    [InlineData("Digest realm=\"r\", nonce=\"ends in backslash\\", "'nonce' is not terminated")]
    [InlineData("Digest realm=\"r\", realm=\"s\", nonce=\"n\"", "'realm' appears more than once")]
    [InlineData("Digest realm=\"r\", REALM=\"s\", nonce=\"n\"", "appears more than once")]
    [InlineData("Digest realm=\"r\" junk, nonce=\"n\"", "unexpected 'junk, nonce=\"n\"' after the value of 'realm'")]
    [InlineData("Digest realm=\"r\" nonce=\"n\"", "after the value of 'realm'")]
    [InlineData("Digest garbage", "'garbage' has no value")]
    [InlineData("Digest realm=\"r\", nonce=a b", "after the value of 'nonce'")]
    [InlineData("Digest realm=, nonce=\"n\"", "'realm' has an empty or invalid value")]
    [InlineData("Digest realm=\"r\", =\"n\"", "expected a parameter name")]
    [InlineData("Digest realm=\"r\", nonce=\"a\r\nX-Injected: 1\"", "'nonce' contains a line break")]
    [InlineData("Digest realm=\"r\", nonce=\"a\u0000b\"", "'nonce' contains a control character")]
    [InlineData("Digest realm=\"r\u0007\", nonce=\"n\"", "'realm' contains a control character")]
    [InlineData("Digest realm=\"r\", nonce=\"a\\\r\"", "escapes a control character")]
    [InlineData("\"Digest\" realm=\"r\"", "expected an authentication scheme")]
    public void Should_refuse_malformed_challenges_with_a_reason(string? value, string reason)
    {
        Assert.False(DigestChallenge.TryParse(value!, out var challenge, out var error));

        Assert.Null(challenge);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_escape_control_characters_and_cut_long_input_in_errors()
    {
        Assert.False(DigestChallenge.TryParse("Digest realm=\"r\"\r\nVia: forged-line-that-goes-on-and-on-and-on", out _, out var error));

        Assert.DoesNotContain("\r", error, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", error, StringComparison.Ordinal);
        Assert.Contains("\\x0D\\x0A", error, StringComparison.Ordinal);
        Assert.DoesNotContain("on-and-on-and-on", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_a_value_longer_than_the_limit()
    {
        var value = $"Digest realm=\"r\", nonce=\"{new string('n', DigestParameters.MaxLength)}\"";

        Assert.False(DigestChallenge.TryParse(value, out _, out var error));

        Assert.Contains("longer than", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_never_throw_on_random_input()
    {
        var random = new Random(4475);
        const string alphabet = "Digest realm=nonce\"\\, qop=auth-int;algorithm=MD5-sess\t\r\n\u00e4\u0000";
        for (var i = 0; i < 20000; i++)
        {
            var chars = new char[random.Next(0, 80)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = alphabet[random.Next(alphabet.Length)];
            }
            var text = random.Next(2) == 0 ? "Digest " + new string(chars) : new string(chars);

            var ok = DigestChallenge.TryParse(text, out var challenge, out var error);

            Assert.True(ok ? challenge is not null && error is null : challenge is null && !string.IsNullOrEmpty(error), text);
        }
    }

    [Fact]
    public void Should_describe_itself_without_surprises()
    {
        Assert.True(DigestChallenge.TryParse("Digest realm=\"r\", nonce=\"n\", qop=\"auth,auth-int\", algorithm=SHA-256, stale=true", out var c, out _));

        Assert.Equal("Digest realm=\"r\", nonce=\"n\", algorithm=SHA-256, qop=\"auth,auth-int\", stale=true, userhash=false", c.ToString());
    }

    [Fact]
    public void Should_select_from_a_parsed_401_in_header_order_reading_a_utf8_realm_from_the_bytes()
    {
        var text = "SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK.1\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\n"
            + "WWW-Authenticate: Digest realm=\"r\", nonce=\"1\", algorithm=SHA3-512\r\n"
            + "WWW-Authenticate: Digest realm=\"Zürich Süd\", nonce=\"2\", qop=\"auth\", opaque=\"o\"\r\n"
            + "WWW-Authenticate: Digest realm=\"r\", nonce=\"3\"\r\nContent-Length: 0\r\n\r\n";
        var response = (SipResponse)SipMessage.Parse(System.Text.Encoding.UTF8.GetBytes(text));

        var selected = DigestChallenge.SelectFirstSupported(response);

        Assert.NotNull(selected);
        Assert.Equal(("Zürich Süd", "2", "o"), (selected.Realm, selected.Nonce, selected.Opaque));
        Assert.Equal(["auth"], selected.Qop);
        Assert.Null(DigestChallenge.SelectFirstSupported((SipResponse)SipMessage.Parse(System.Text.Encoding.UTF8.GetBytes(text.Replace("401 Unauthorized", "407 Proxy Authentication Required", StringComparison.Ordinal)))));
    }

    [Theory]
    [InlineData("Digest realm=\"r\", nonce=\"n\", foo=1, FOO=2", "'FOO' appears more than once")]
    [InlineData("Digest realm=\"r\", nonce=\"n\", qop=auth, qop=auth", "'qop' appears more than once")]
    [InlineData("Digest realm=\"r\", nonce=\"n\", Stale=true, stale=false", "'stale' appears more than once")]
    public void Should_refuse_a_parameter_given_twice_whether_it_is_read_or_not(string value, string expected)
    {
        Assert.False(DigestChallenge.TryParse(value, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("qop=\"auth\"", new[] { "auth" }, true)]
    [InlineData("qop=\"auth-int\"", new[] { "auth-int" }, true)]
    [InlineData("qop=\" auth-int , auth \"", new[] { "auth-int", "auth" }, true)]
    [InlineData("qop=\"AUTH,,x\"", new[] { "AUTH", "x" }, true)]
    [InlineData("qop=\"x, y\"", new[] { "x", "y" }, false)]
    public void Should_keep_the_qop_options_as_sent(string parameter, string[] expected, bool supported)
    {
        Assert.True(DigestChallenge.TryParse("Digest realm=\"r\", nonce=\"n\", " + parameter, out var c, out _));

        Assert.Equal(expected, c.Qop);
        Assert.Equal(supported, c.IsSupported);
    }
}
