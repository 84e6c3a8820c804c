using System.Text;
using SipActors.Sip.Auth;
using SipActors.Sip.Headers;
using SipActors.Sip.Messaging;
using SipActors.Sip.Tests.Auth;

namespace SipActors.Sip.Tests.Messaging;

/// <summary>MESSAGE and OPTIONS outside a dialog against a scripted server: the digest retry and the outcome.</summary>
public sealed class OutOfDialogClientTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly ChallengingServer _server = new();

    public void Dispose() => _server.Dispose();

    private OutOfDialogClient Client(DigestCredentials? credentials = null)
        => new(_server.Transactions, _server.Channel, "<sip:alice@127.0.0.1>", "127.0.0.1:40000", "test-agent", credentials ?? new DigestCredentials("alice", "secret"));

    private static ReadOnlyMemory<byte> Body(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task Should_answer_a_proxy_challenge_once_with_the_same_call_id_and_the_next_cseq()
    {
        _server.Challenge(407, "n1").Answer(202);

        var outcome = await Client().SendMessageAsync("sip:bob@127.0.0.1", Body("hi"), "text/plain").WaitAsync(Patience);

        Assert.True(outcome.Success, outcome.Error);
        Assert.Equal(202, outcome.StatusCode);
        var (first, second) = (_server.Requests[0], _server.Requests[1]);
        Assert.Equal(first.CallId, second.CallId);
        Assert.Equal((1u, 2u), (first.CSeq!.Value.Number, second.CSeq!.Value.Number));
        Assert.NotEqual(first.Headers.GetFirst(SipHeaderId.Via), second.Headers.GetFirst(SipHeaderId.Via));
        Assert.False(second.Headers.Contains(SipHeaderId.Authorization));
        Assert.Equal("n1", ChallengingServer.AnsweredNonce(second));
        Assert.Equal("hi", Encoding.UTF8.GetString(second.Body.Span));
    }

    [Fact]
    public async Task Should_report_a_second_challenge_that_is_not_stale_as_the_outcome()
    {
        _server.Challenge(401, "n1").Challenge(401, "n2").Answer();

        var outcome = await Client().SendOptionsAsync("sip:bob@127.0.0.1").WaitAsync(Patience);

        Assert.False(outcome.Success);
        Assert.Equal(401, outcome.StatusCode);
        Assert.Equal(2, _server.Requests.Count);
        Assert.True(_server.Requests[1].Headers.Contains(SipHeaderId.Authorization));
    }

    [Fact]
    public async Task Should_answer_again_when_the_server_says_the_nonce_was_stale()
    {
        _server.Challenge(401, "n1").Challenge(401, "n2", stale: true).Answer();

        var outcome = await Client().SendOptionsAsync("sip:bob@127.0.0.1").WaitAsync(Patience);

        Assert.True(outcome.Success, outcome.Error);
        Assert.Equal(3, _server.Requests.Count);
        Assert.Equal(3u, _server.Requests[2].CSeq!.Value.Number);
        Assert.Equal("n2", ChallengingServer.AnsweredNonce(_server.Requests[2]));
    }

    [Fact]
    public async Task Should_not_answer_a_challenge_without_credentials()
    {
        _server.Challenge(407, "n1").Answer();
        var client = new OutOfDialogClient(_server.Transactions, _server.Channel, "<sip:alice@127.0.0.1>", "127.0.0.1:40000", null, null);

        var outcome = await client.SendOptionsAsync("sip:bob@127.0.0.1").WaitAsync(Patience);

        Assert.Equal((false, 407), (outcome.Success, outcome.StatusCode));
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task Should_not_answer_a_challenge_it_cannot_compute()
    {
        _server.ChallengeWith(401, "Digest realm=\"test\", nonce=\"n1\", algorithm=SHA-1").Answer();

        var outcome = await Client().SendOptionsAsync("sip:bob@127.0.0.1").WaitAsync(Patience);

        Assert.Equal((false, 401), (outcome.Success, outcome.StatusCode));
        Assert.Single(_server.Requests);
    }
}
