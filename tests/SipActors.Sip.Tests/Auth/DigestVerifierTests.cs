using Microsoft.Extensions.Time.Testing;
using SipActors.Sip.Auth;
using SipActors.Sip.Headers;

namespace SipActors.Sip.Tests.Auth;

/// <summary>The server side of digest: challenges, credentials made by our own client, stale nonces on a fake clock.</summary>
public sealed class DigestVerifierTests
{
    private const string Uri = "sip:127.0.0.1";
    private static readonly DigestCredentials Alice = new("alice", "pw-alice");

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly DigestVerifier _verifier;

    public DigestVerifierTests() => _verifier = new DigestVerifier("sipactors", _time, TimeSpan.FromMinutes(5));

    private static DigestChallenge Parse(string value)
    {
        Assert.True(DigestChallenge.TryParse(value, out var challenge, out var error), error);
        return challenge;
    }

    private string Answer(DigestCredentials? credentials = null, string method = "REGISTER", string? challenge = null)
        => new DigestAuthenticator().CreateAuthorization(Parse(challenge ?? _verifier.Challenge(stale: false)), credentials ?? Alice, method, Uri);

    [Fact]
    public void Should_challenge_with_the_realm_a_fresh_nonce_qop_auth_and_MD5()
    {
        var first = Parse(_verifier.Challenge(stale: false));
        var stale = Parse(_verifier.Challenge(stale: true));

        Assert.Equal("sipactors", first.Realm);
        Assert.Equal(["auth"], first.Qop);
        Assert.Equal(DigestAlgorithm.Md5, first.Algorithm);
        Assert.False(first.Stale);
        Assert.True(stale.Stale);
        Assert.False(string.IsNullOrEmpty(first.Nonce));
    }

    [Fact]
    public void Should_accept_the_answer_of_our_own_client()
    {
        Assert.Equal(DigestVerdict.Ok, _verifier.Verify("REGISTER", Answer(), "alice", "pw-alice"));
    }

    [Fact]
    public void Should_accept_an_answer_to_a_SHA_256_challenge_and_upper_case_hex()
    {
        var nonce = Parse(_verifier.Challenge(stale: false)).Nonce;
        var sha = $"Digest realm=\"sipactors\", nonce=\"{nonce}\", qop=\"auth\", algorithm=SHA-256";
        var answer = Answer(challenge: sha);
        var upper = System.Text.RegularExpressions.Regex.Replace(answer, "response=\"([0-9a-f]+)\"", m => $"response=\"{m.Groups[1].Value.ToUpperInvariant()}\"");

        Assert.Equal(DigestVerdict.Ok, _verifier.Verify("REGISTER", answer, "alice", "pw-alice"));
        Assert.Equal(DigestVerdict.Ok, _verifier.Verify("REGISTER", upper, "alice", "pw-alice"));
    }

    [Fact]
    public void Should_call_a_wrong_password_user_realm_or_method_wrong()
    {
        Assert.Equal(DigestVerdict.Wrong, _verifier.Verify("REGISTER", Answer(new DigestCredentials("alice", "guess")), "alice", "pw-alice"));
        Assert.Equal(DigestVerdict.Wrong, _verifier.Verify("REGISTER", Answer(new DigestCredentials("mallory", "pw-alice")), "alice", "pw-alice"));
        Assert.Equal(DigestVerdict.Wrong, _verifier.Verify("INVITE", Answer(method: "REGISTER"), "alice", "pw-alice"));
        var otherRealm = new DigestVerifier("elsewhere", _time, TimeSpan.FromMinutes(5));
        Assert.Equal(DigestVerdict.Wrong, otherRealm.Verify("REGISTER", Answer(), "alice", "pw-alice"));
    }

    [Theory]
    [InlineData("algorithm=MD5", "algorithm=ROT13")] // an algorithm we do not know
    [InlineData("qop=auth", "qop=auth-int")] // a qop we did not offer
    [InlineData(", nc=00000001", "")] // qop without nc
    [InlineData("response=", "responsX=")] // no response at all
    public void Should_call_credentials_with_a_broken_field_wrong(string field, string replacement)
    {
        var answer = Answer();
        Assert.Contains(field, answer, StringComparison.Ordinal);

        Assert.Equal(DigestVerdict.Wrong, _verifier.Verify("REGISTER", answer.Replace(field, replacement, StringComparison.Ordinal), "alice", "pw-alice"));
    }

    [Fact]
    public void Should_call_a_nonce_that_is_not_ours_or_unparsable_credentials_missing()
    {
        var forged = Answer(challenge: "Digest realm=\"sipactors\", nonce=\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\", qop=\"auth\"");
        var otherIssuer = Answer(challenge: new DigestVerifier("sipactors", _time, TimeSpan.FromMinutes(5)).Challenge(stale: false));

        Assert.Equal(DigestVerdict.Missing, _verifier.Verify("REGISTER", forged, "alice", "pw-alice"));
        Assert.Equal(DigestVerdict.Missing, _verifier.Verify("REGISTER", otherIssuer, "alice", "pw-alice"));
        Assert.Equal(DigestVerdict.Missing, _verifier.Verify("REGISTER", "Basic YWxpY2U6cHctYWxpY2U=", "alice", "pw-alice"));
    }

    [Fact]
    public void Should_call_a_right_answer_with_an_old_nonce_stale()
    {
        var answer = Answer();

        _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        var fresh = _verifier.Verify("REGISTER", answer, "alice", "pw-alice");
        _time.Advance(TimeSpan.FromSeconds(1));
        var old = _verifier.Verify("REGISTER", answer, "alice", "pw-alice");

        Assert.Equal(DigestVerdict.Ok, fresh);
        Assert.Equal(DigestVerdict.Stale, old);
    }

    [Fact]
    public void Should_read_the_header_it_is_asked_for()
    {
        var request = new SipRequest(SipMethod.Message, "sip:bob@127.0.0.1");
        request.Headers.Add(SipHeaderId.ProxyAuthorization, new DigestAuthenticator().CreateAuthorization(Parse(_verifier.Challenge(false)), Alice, "MESSAGE", Uri));

        Assert.Equal(DigestVerdict.Missing, _verifier.Verify(request, "alice", "pw-alice"));
        Assert.Equal(DigestVerdict.Ok, _verifier.Verify(request, "alice", "pw-alice", SipHeaderId.ProxyAuthorization));
    }
}
