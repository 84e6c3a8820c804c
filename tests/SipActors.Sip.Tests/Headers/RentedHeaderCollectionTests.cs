using SipActors.Sip.Auth;
using SipActors.Sip.Headers;

namespace SipActors.Sip.Tests.Headers;

/// <summary>A request built over pooled header arrays writes the same bytes as one built over its own, through growth, and gives the arrays back.</summary>
public sealed class RentedHeaderCollectionTests
{
    private static void Fill(SipRequest request)
    {
        // Past the rented 2,048 bytes and 16 entries: both arrays grow.
        for (var i = 0; i < 40; i++)
        {
            request.Headers.Add(SipHeaderId.Via, $"SIP/2.0/UDP 127.0.0.1:{5060 + i};branch=z9hG4bK.{i:D4}{new string('x', 60)}");
        }
        request.Headers.Insert(0, SipHeaderId.MaxForwards, "70");
        request.Headers.Add(SipHeaderId.CallId, "c1");
        request.Headers.Add(SipHeaderId.CSeq, "1 REGISTER");
        request.Headers.Add(SipHeaderId.Subject, "  trimmed  ".AsSpan());
    }

    [Fact]
    public void Should_write_the_same_bytes_as_a_collection_of_its_own_and_be_empty_once_returned()
    {
        var own = new SipRequest(SipMethod.Register, "sip:example.test");
        var rented = SipRequest.Rented(SipMethod.Register, "sip:example.test");
        Fill(own);
        Fill(rented);

        var bytes = rented.ToArray();
        rented.Headers.ReturnToPool();

        Assert.Equal(own.ToArray(), bytes);
        Assert.Equal("trimmed", own.Headers.GetFirst(SipHeaderId.Subject));
        Assert.Empty(rented.Headers);
        rented.Headers.ReturnToPool(); // a second time gives nothing back twice
        own.Headers.ReturnToPool();    // and a collection of its own keeps its arrays
        Assert.Equal(44, own.Headers.Count);
    }

    [Fact]
    public void Should_add_an_authorization_that_answers_the_challenge_as_the_string_form_does()
    {
        Assert.True(DigestChallenge.TryParse("Digest realm=\"example.test\", nonce=\"n1\", qop=\"auth\", algorithm=MD5", out var challenge, out _));
        var credentials = new DigestCredentials("alice", "pw-alice");
        var request = SipRequest.Rented(SipMethod.Register, "sip:example.test");

        new DigestAuthenticator().AddAuthorization(request.Headers, SipHeaderId.Authorization, challenge!, credentials, "REGISTER", "sip:example.test", default);
        var added = request.Headers.GetFirst(SipHeaderId.Authorization)!;
        var asString = new DigestAuthenticator().CreateAuthorization(challenge!, credentials, "REGISTER", "sip:example.test");

        Assert.True(DigestParameters.TryParse(added, out var a, out _));
        Assert.True(DigestParameters.TryParse(asString, out var s, out _));
        // The same answer but for the fresh cnonce each makes (and the response computed over it).
        foreach (var name in new[] { "username", "realm", "nonce", "uri", "algorithm", "qop", "nc" })
        {
            Assert.Equal(s[name], a[name]);
        }
        Assert.Equal(32, a["response"].Length);
        request.Headers.ReturnToPool();
    }

    private static readonly byte[] Ok = System.Text.Encoding.ASCII.GetBytes(
        "SIP/2.0 200 Fine Thanks\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK.1\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:a@x>;tag=2\r\n"
        + "Call-ID: c1\r\nCSeq: 1 REGISTER\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\nbodyEXTRA");

    [Fact]
    public void Should_parse_into_rented_arrays_what_a_copy_gives_and_keep_the_spans_of_one_that_grows()
    {
        var copied = (SipResponse)SipMessage.Parse(Ok);
        var rented = (SipResponse)SipMessage.ParseRented(Ok, SipParserLimits.Default);

        Assert.Equal(copied.ToArray(), rented.ToArray());
        Assert.Equal("Fine Thanks", rented.ReasonPhrase);
        Assert.Equal("body"u8.ToArray(), rented.Body.ToArray());
        Assert.False(rented.ReadOnce);

        // Added lines outgrow the rented buffer: the parsed bytes stay where the spans point.
        for (var i = 0; i < 60; i++)
        {
            rented.Headers.Add(SipHeaderId.Subject, new string('s', 60));
        }
        Assert.Equal("body"u8.ToArray(), rented.Body.ToArray());
        Assert.Equal("c1", rented.CallId);
        rented.ReturnToPool();
        Assert.Empty(rented.Headers);
    }
}
