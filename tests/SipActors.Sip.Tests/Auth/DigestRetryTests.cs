using System.Text;
using SipActors.Sip.Auth;
using SipActors.Sip.Headers;

namespace SipActors.Sip.Tests.Auth;

/// <summary>The one digest retry rule every request kind uses: once, again for a stale nonce, never without a challenge we can answer.</summary>
public sealed class DigestRetryTests
{
    private static readonly DigestCredentials Alice = new("alice", "secret");

    private static SipResponse Challenge(int status, string nonce, bool stale = false, string algorithm = "MD5")
    {
        var header = status == 407 ? "Proxy-Authenticate" : "WWW-Authenticate";
        var text = $"SIP/2.0 {status} Challenged\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK.1\r\nFrom: <sip:alice@x>;tag=1\r\n"
            + $"To: <sip:alice@x>;tag=2\r\nCall-ID: c1\r\nCSeq: 1 REGISTER\r\n"
            + $"{header}: Digest realm=\"x\", nonce=\"{nonce}\", qop=\"auth\", algorithm={algorithm}{(stale ? ", stale=true" : "")}\r\nContent-Length: 0\r\n\r\n";
        return (SipResponse)SipMessage.Parse(Encoding.ASCII.GetBytes(text));
    }

    private static SipRequest Request(string method = "MESSAGE", string body = "")
    {
        var request = new SipRequest(method, "sip:bob@x");
        request.Body = Encoding.UTF8.GetBytes(body);
        return request;
    }

    private static Dictionary<string, string> Answer(SipRequest request, SipHeaderId header)
    {
        Assert.True(DigestParameters.TryParse(request.Headers.GetFirst(header), out var p, out _));
        return p;
    }

    [Theory]
    [InlineData(401, SipHeaderId.Authorization)]
    [InlineData(407, SipHeaderId.ProxyAuthorization)]
    public void Should_answer_a_first_challenge_in_the_header_its_status_names(int status, SipHeaderId expected)
    {
        var retry = new DigestRetry();

        Assert.Equal(DigestRetryDecision.Retry, retry.Decide(Challenge(status, "n1"), Alice));

        var next = Request("MESSAGE", "hello");
        retry.Authorize(next, Alice, new DigestAuthenticator());
        var answer = Answer(next, expected);
        Assert.Equal(("n1", "sip:bob@x", "alice", "x"), (answer["nonce"], answer["uri"], answer["username"], answer["realm"]));
        Assert.False(next.Headers.Contains(status == 401 ? SipHeaderId.ProxyAuthorization : SipHeaderId.Authorization));
        Assert.Equal(expected, retry.Header);
        Assert.Equal(1, retry.Answers);
    }

    [Fact]
    public void Should_compute_the_answer_over_the_requests_method_uri_and_body()
    {
        var retry = new DigestRetry();
        var challenge = Challenge(401, "n1");
        retry.Decide(challenge, Alice);
        var next = Request("INVITE", "v=0");

        retry.Authorize(next, Alice, new DigestAuthenticator());

        var answer = Answer(next, SipHeaderId.Authorization);
        var expected = DigestCalculator.Response(DigestAlgorithm.Md5, "alice", "x", "secret", "n1", answer["cnonce"], answer["nc"], "auth",
            "INVITE", "sip:bob@x", default);
        Assert.Equal(expected, answer["response"]);
    }

    [Fact]
    public void Should_refuse_a_second_challenge_that_is_not_stale_and_keep_the_first()
    {
        var retry = new DigestRetry();
        retry.Decide(Challenge(401, "n1"), Alice);

        Assert.Equal(DigestRetryDecision.Refused, retry.Decide(Challenge(401, "n2"), Alice));
        Assert.Equal("n1", retry.Challenge!.Nonce);
    }

    [Fact]
    public void Should_answer_stale_challenges_again_up_to_the_cap()
    {
        var retry = new DigestRetry();
        Assert.Equal(DigestRetryDecision.Retry, retry.Decide(Challenge(407, "n0"), Alice));

        for (var i = 1; i < DigestRetry.MaxAnswers; i++)
        {
            Assert.Equal(DigestRetryDecision.Retry, retry.Decide(Challenge(407, "n" + i, stale: true), Alice));
        }

        Assert.Equal(DigestRetryDecision.Refused, retry.Decide(Challenge(407, "nX", stale: true), Alice));
        Assert.Equal("n" + (DigestRetry.MaxAnswers - 1), retry.Challenge!.Nonce);
    }

    [Fact]
    public void Should_answer_once_more_in_a_new_exchange_with_the_last_challenge_kept()
    {
        var retry = new DigestRetry();
        retry.Decide(Challenge(401, "n1"), Alice);

        retry.BeginExchange();

        Assert.Equal("n1", retry.Challenge!.Nonce); // a refresh answers it at once
        Assert.Equal(DigestRetryDecision.Retry, retry.Decide(Challenge(401, "n2"), Alice));
        Assert.Equal("n2", retry.Challenge!.Nonce);
    }

    [Fact]
    public void Should_forget_the_challenge_on_reset()
    {
        var retry = new DigestRetry();
        retry.Decide(Challenge(407, "n1"), Alice);

        retry.Reset();
        var next = Request();
        retry.Authorize(next, Alice, new DigestAuthenticator());

        Assert.Null(retry.Challenge);
        Assert.False(next.Headers.Contains(SipHeaderId.ProxyAuthorization));
        Assert.Equal(DigestRetryDecision.Retry, retry.Decide(Challenge(407, "n2"), Alice));
    }

    [Fact]
    public void Should_not_retry_without_credentials_or_a_supported_challenge()
    {
        var retry = new DigestRetry();

        Assert.Equal(DigestRetryDecision.NoCredentials, retry.Decide(Challenge(401, "n1"), null));
        Assert.Equal(DigestRetryDecision.Unsupported, retry.Decide(Challenge(401, "n1", algorithm: "SHA-1"), Alice));
        Assert.Equal(DigestRetryDecision.Unsupported, retry.Decide(Challenge(401, "n1", algorithm: "SHA-1"), null));
        Assert.Equal("credentials required", DigestRetry.Explain(DigestRetryDecision.NoCredentials));
        Assert.Equal("no supported digest challenge", DigestRetry.Explain(DigestRetryDecision.Unsupported));
        Assert.Null(DigestRetry.Explain(DigestRetryDecision.Refused));
        Assert.Null(retry.Challenge);
        Assert.Equal(0, retry.Answers);
    }

    [Theory]
    [InlineData(200)]
    [InlineData(403)]
    [InlineData(423)]
    public void Should_leave_other_statuses_alone(int status)
    {
        var retry = new DigestRetry();
        var response = SipResponses.Create(Request(), status);

        Assert.Equal(DigestRetryDecision.NotChallenged, retry.Decide(response, Alice));
        Assert.Equal(0, retry.Answers);
    }

    [Fact]
    public void Should_count_the_uses_of_a_nonce_in_the_authenticator_given()
    {
        var retry = new DigestRetry();
        retry.Decide(Challenge(401, "n1"), Alice);
        var authenticator = new DigestAuthenticator();
        var (first, second) = (Request(), Request());

        retry.Authorize(first, Alice, authenticator);
        retry.Authorize(second, Alice, authenticator);

        Assert.Equal(("00000001", "00000002"), (Answer(first, SipHeaderId.Authorization)["nc"], Answer(second, SipHeaderId.Authorization)["nc"]));
    }
}
