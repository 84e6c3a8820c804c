using System.Buffers;
using System.Text;
using SipActors.Sip.Headers;
using SipActors.Sip.Tests.TestData;

namespace SipActors.Sip.Tests.Serialization;

public class SipMessageWriterTests
{
    public static TheoryData<string> Messages => new() { SampleMessages.Register, SampleMessages.Unauthorized, SampleMessages.RegisterOk, SampleMessages.Invite };

    [Theory]
    [MemberData(nameof(Messages))]
    public void Should_round_trip_parsed_messages(string text)
    {
        var original = SipMessage.Parse(SampleMessages.Bytes(text));

        var bytes = original.ToArray();
        var reparsed = SipMessage.Parse(bytes);

        Assert.Equal(original, reparsed);
        Assert.Equal(original.GetByteCount(), bytes.Length);
        Assert.Equal(bytes, reparsed.ToArray());
    }

    [Fact]
    public void Should_write_a_built_register_that_parses_back_equal()
    {
        var register = new SipRequest(SipMethod.Register, "sip:127.0.0.1");
        register.Headers.Add(SipHeaderId.Via, "SIP/2.0/UDP 127.0.0.1:40001;branch=z9hG4bK.1;rport");
        register.Headers.Add(SipHeaderId.MaxForwards, "70");
        register.Headers.Add(SipHeaderId.From, new SipNameAddress("sip:alice@127.0.0.1", "Alice Liddell", [new("tag", "abc")]).ToString());
        register.Headers.Add(SipHeaderId.To, "<sip:alice@127.0.0.1>");
        register.Headers.Add(SipHeaderId.CallId, "call-1");
        register.Headers.Add(SipHeaderId.CSeq, new SipCSeq(1, SipMethod.Register).ToString());
        register.Headers.Add(SipHeaderId.Contact, new SipNameAddress("sip:alice@127.0.0.1:40001", parameters: [new("+sip.instance", "<urn:uuid:1>"), new("reg-id", "1")]).ToString());
        register.Headers.Add("X-Vinteo-Remote", "10.0.0.1");

        var bytes = register.ToArray();
        var parsed = Assert.IsType<SipRequest>(SipMessage.Parse(bytes));

        Assert.Equal(register, parsed);
        Assert.StartsWith("REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP", Encoding.ASCII.GetString(bytes), StringComparison.Ordinal);
        Assert.EndsWith("X-Vinteo-Remote: 10.0.0.1\r\nContent-Length: 0\r\n\r\n", Encoding.ASCII.GetString(bytes), StringComparison.Ordinal);
        Assert.Equal("Alice Liddell", parsed.From!.DisplayName);
        Assert.Equal("<urn:uuid:1>", parsed.Contacts[0].GetParameter("+sip.instance"));
        parsed.Validate();
    }

    [Fact]
    public void Should_write_content_length_from_the_body_where_the_header_stood()
    {
        var message = SipMessage.Parse(SampleMessages.Bytes(SampleMessages.Invite));
        message.Body = "v=0\r\n"u8.ToArray();

        var text = Encoding.ASCII.GetString(message.ToArray());

        Assert.Contains("Content-Type: application/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n", text, StringComparison.Ordinal);
        Assert.Single(SipMessage.Parse(Encoding.ASCII.GetBytes(text)).Headers.GetValues(SipHeaderId.ContentLength));
    }

    [Fact]
    public void Should_write_a_response_with_the_default_reason()
    {
        var response = new SipResponse(423);
        response.Headers.Add(SipHeaderId.MinExpires, "60");

        Assert.Equal("SIP/2.0 423 Interval Too Brief\r\nMin-Expires: 60\r\nContent-Length: 0\r\n\r\n", Encoding.ASCII.GetString(response.ToArray()));
    }

    [Fact]
    public void Should_write_into_a_buffer_writer()
    {
        var message = SipMessage.Parse(SampleMessages.Bytes(SampleMessages.RegisterOk));
        var writer = new ArrayBufferWriter<byte>();

        message.WriteTo(writer);

        Assert.Equal(message.ToArray(), writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Should_refuse_header_injection_and_bad_names()
    {
        var request = new SipRequest(SipMethod.Options, "sip:b@h");

        Assert.Throws<ArgumentException>(() => request.Headers.Add(SipHeaderId.Subject, "x\r\nVia: evil"));
        Assert.Throws<ArgumentException>(() => request.Headers.Add("Bad Name", "x"));
        Assert.Throws<ArgumentException>(() => new SipRequest("IN VITE", "sip:b@h"));
        Assert.Throws<ArgumentException>(() => new SipRequest(SipMethod.Options, "sip:b@h SIP/2.0\r\n"));
        Assert.Throws<ArgumentException>(() => new SipResponse(200, "OK\r\nX: y"));
    }

    [Fact]
    public void Should_redact_credentials_in_the_log_form()
    {
        var request = new SipRequest(SipMethod.Register, "sip:h");
        request.Headers.Add(SipHeaderId.Authorization, "Digest username=\"alice\", response=\"0123456789abcdef\"");
        request.Headers.Add(SipHeaderId.ProxyAuthorization, "Digest username=\"alice\", response=\"fedcba\"");

        var log = request.ToString();

        Assert.DoesNotContain("0123456789abcdef", log, StringComparison.Ordinal);
        Assert.DoesNotContain("fedcba", log, StringComparison.Ordinal);
        Assert.Contains("Authorization: <credentials redacted>", log, StringComparison.Ordinal);
        Assert.DoesNotContain("fedcba", request.Headers[1].ToString(), StringComparison.Ordinal);
    }
}
