using SipActors.Sip.Headers;
using SipActors.Sip.Tests.TestData;

namespace SipActors.Sip.Tests.Headers;

public class SipHeaderCollectionTests
{
    [Fact]
    public void Should_add_insert_set_and_remove_lines_in_order()
    {
        var headers = new SipHeaderCollection();
        headers.Add(SipHeaderId.Via, "SIP/2.0/UDP a;branch=z9hG4bK1");
        headers.Add(SipHeaderId.Route, "<sip:p1;lr>");
        headers.Add(SipHeaderId.Route, "<sip:p2;lr>");
        headers.Insert(0, SipHeaderId.Via, "SIP/2.0/UDP b;branch=z9hG4bK2");
        headers.Add("X-Custom", "1");

        headers.Set(SipHeaderId.Route, "<sip:p3;lr>");
        Assert.True(headers.Remove("x-custom"));
        Assert.False(headers.Remove(SipHeaderId.Expires));

        Assert.Equal(
            [("Via", "SIP/2.0/UDP b;branch=z9hG4bK2"), ("Via", "SIP/2.0/UDP a;branch=z9hG4bK1"), ("Route", "<sip:p3;lr>")],
            headers.Select(h => (h.Name, h.Value)));
    }

    [Fact]
    public void Should_not_disturb_a_parsed_message_when_headers_change()
    {
        var message = SipMessage.Parse(SampleMessages.Bytes(SampleMessages.RegisterOk));
        var callId = message.CallId;

        for (var i = 0; i < 50; i++)
        {
            message.Headers.Add("X-Filler", new string('x', 40));
        }
        message.Headers.Set(SipHeaderId.CSeq, "3 REGISTER");

        Assert.Equal(callId, message.CallId);
        Assert.Equal(3u, message.CSeq!.Value.Number);
        Assert.Equal(2, message.Contacts.Count);
    }

    [Fact]
    public void Should_enumerate_values_as_spans_without_splitting_non_list_headers()
    {
        var message = SipMessage.Parse(SampleMessages.Bytes(
            "SIP/2.0 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"a\", nonce=\"1\"\r\nWWW-Authenticate: Digest realm=\"a\", nonce=\"2\", algorithm=SHA-256\r\nAllow: A,,B ,\r\n\r\n"));

        Assert.Equal(2, message.WwwAuthenticate.Count);
        Assert.Equal(["A", "B"], message.Allow);
        var count = 0;
        foreach (var value in message.Headers.EnumerateValues(SipHeaderId.WwwAuthenticate))
        {
            Assert.True(value.StartsWith("Digest "u8));
            count++;
        }
        Assert.Equal(2, count);
    }

    [Fact]
    public void Should_read_via_fields_in_place()
    {
        var message = SipMessage.Parse(SampleMessages.Bytes(SampleMessages.RegisterOk));
        Assert.True(message.Headers.TryGetValue(SipHeaderId.Via, out var raw));

        Assert.True(ViaValue.TryParse(raw, out var via));

        Assert.True(via.Transport.SequenceEqual("UDP"u8));
        Assert.True(via.Host.SequenceEqual("127.0.0.1"u8));
        Assert.Equal(40001, via.Port);
        Assert.True(via.Branch.SequenceEqual("z9hG4bK.f00dfeed01"u8));
        Assert.True(via.TryGetParameter("RECEIVED"u8, out var received) && received.SequenceEqual("127.0.0.1"u8));
    }

    [Theory]
    [InlineData("SIP/2.0/UDP [2001:db8::1]:5070;branch=z9hG4bK1", "[2001:db8::1]", 5070)]
    [InlineData("SIP / 2.0 / TCP host.example.com ;branch=z9hG4bK1", "host.example.com", -1)]
    [InlineData("SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK1", "df7jal23ls0d.invalid", -1)]
    public void Should_read_unusual_but_valid_vias(string value, string host, int port)
    {
        Assert.True(ViaValue.TryParse(System.Text.Encoding.ASCII.GetBytes(value), out var via));
        Assert.Equal(host, System.Text.Encoding.ASCII.GetString(via.Host));
        Assert.Equal(port, via.Port);
    }

    [Theory]
    [InlineData("SIP/2.0/UDP")]
    [InlineData("SIP/2.0/UDPhost")]
    [InlineData("SIP/3.0/UDP host")]
    [InlineData("SIP/2.0/UDP host:99999")]
    [InlineData("SIP/2.0/UDP [::1")]
    public void Should_reject_broken_vias(string value)
    {
        var text = $"SIP/2.0 200 OK\r\nVia: {value}\r\n\r\n";
        var message = SipMessage.Parse(System.Text.Encoding.ASCII.GetBytes(text));

        Assert.Equal(SipParseError.InvalidHeaderValue, Assert.Throws<SipParseException>(() => message.Vias).Reason);
    }

    [Fact]
    public void Should_fail_validation_of_an_empty_via()
    {
        var message = SipMessage.Parse(System.Text.Encoding.ASCII.GetBytes("SIP/2.0 200 OK\r\nVia:\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\n\r\n"));

        Assert.Contains("Via is empty", Assert.Throws<SipParseException>(message.Validate).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"Bob \\\"B\\\" Smith\" <sip:bob@h>;tag=x", "Bob \"B\" Smith", "sip:bob@h", "x")]
    [InlineData("Bob Smith <sip:bob@h>", "Bob Smith", "sip:bob@h", null)]
    [InlineData("sip:bob@h;tag=y", null, "sip:bob@h", "y")]
    [InlineData("<sip:bob@h;transport=tcp>", null, "sip:bob@h;transport=tcp", null)]
    [InlineData("  \"\" <tel:+12125551212>", null, "tel:+12125551212", null)]
    public void Should_read_name_addresses(string value, string? display, string uri, string? tag)
    {
        var address = SipNameAddress.Parse(System.Text.Encoding.UTF8.GetBytes(value));

        Assert.Equal((display, uri, tag), (address.DisplayName, address.UriText, address.Tag));
        Assert.Equal(address.ToString(), SipNameAddress.Parse(System.Text.Encoding.UTF8.GetBytes(address.ToString())).ToString());
    }

    [Theory]
    [InlineData("\"unterminated <sip:a@h>")]
    [InlineData("<sip:a@h")]
    [InlineData("Bob <sip:a@h> junk")]
    [InlineData("<>")]
    [InlineData("no-scheme")]
    public void Should_reject_broken_name_addresses(string value)
    {
        Assert.Equal(SipParseError.InvalidHeaderValue,
            Assert.Throws<SipParseException>(() => SipNameAddress.Parse(System.Text.Encoding.UTF8.GetBytes(value))).Reason);
    }

    [Fact]
    public void Should_read_event_and_retry_after()
    {
        var message = SipMessage.Parse(SampleMessages.Bytes("SIP/2.0 503 Busy\r\nEvent: presence.winfo;id=7\r\nRetry-After: 18000 (in a meeting);duration=3600\r\n\r\n"));

        Assert.Equal(("presence.winfo", "7"), (message.Event!.Package, message.Event.Id));
        Assert.Equal(new SipRetryAfter(18000, 3600), message.RetryAfter);
    }
}
