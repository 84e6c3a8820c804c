using System.Buffers;
using System.Text;
using SipActors.Sip.Parsing;
using SipActors.Sip.Tests.TestData;

namespace SipActors.Sip.Tests.Parsing;

public class SipStreamFramerTests
{
    public static TheoryData<string> Messages => new() { SampleMessages.Register, SampleMessages.Unauthorized, SampleMessages.RegisterOk, SampleMessages.Invite };

    [Theory]
    [MemberData(nameof(Messages))]
    public void Should_frame_a_message_delivered_one_byte_per_segment(string text)
    {
        var bytes = SampleMessages.Bytes(text);
        var buffer = SegmentedSequence.Create(bytes, 1);

        var kind = new SipStreamFramer().TryRead(ref buffer, out var message);

        Assert.Equal(SipFrameKind.Message, kind);
        Assert.True(buffer.IsEmpty);
        Assert.Equal(SipMessage.Parse(bytes), message);
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void Should_consume_nothing_until_the_whole_message_is_there(string text)
    {
        var bytes = SampleMessages.Bytes(text);
        var framer = new SipStreamFramer();
        for (var length = 0; length < bytes.Length; length++)
        {
            var partial = SegmentedSequence.Create(bytes.AsSpan(0, length), 7);
            var before = partial;

            var kind = framer.TryRead(ref partial, out var message);

            Assert.True(kind is SipFrameKind.NeedMoreData, $"{kind} with {length} of {bytes.Length} bytes");
            Assert.Null(message);
            Assert.Equal(before.Length, partial.Length);
        }
    }

    [Fact]
    public void Should_cut_back_to_back_messages_and_report_keep_alives_between_them()
    {
        var stream = SampleMessages.Bytes(SampleMessages.Invite).Concat("\r\n\r\n"u8.ToArray())
            .Concat(SampleMessages.Bytes(SampleMessages.RegisterOk)).Concat("\r\n"u8.ToArray()).ToArray();
        var buffer = SegmentedSequence.Create(stream, 13);
        var framer = new SipStreamFramer();
        var kinds = new List<SipFrameKind>();
        var messages = new List<SipMessage>();

        SipFrameKind kind;
        while ((kind = framer.TryRead(ref buffer, out var message)) != SipFrameKind.NeedMoreData)
        {
            kinds.Add(kind);
            if (message is not null)
            {
                messages.Add(message);
            }
        }

        Assert.Equal([SipFrameKind.Message, SipFrameKind.KeepAlivePing, SipFrameKind.Message, SipFrameKind.KeepAlivePong], kinds);
        Assert.Equal(132, messages[0].Body.Length);
        Assert.Equal(200, ((SipResponse)messages[1]).StatusCode);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void Should_wait_for_the_last_byte_of_a_ping()
    {
        var buffer = new ReadOnlySequence<byte>("\r\n\r"u8.ToArray());

        Assert.Equal(SipFrameKind.NeedMoreData, new SipStreamFramer().TryRead(ref buffer, out _));
        Assert.Equal(3, buffer.Length);
    }

    [Fact]
    public void Should_treat_a_missing_content_length_on_a_stream_as_no_body()
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes("OPTIONS sip:b@h SIP/2.0\r\nCall-ID: x\r\n\r\nOPTIONS"));

        Assert.Equal(SipFrameKind.Message, new SipStreamFramer().TryRead(ref buffer, out var message));
        Assert.True(message!.Body.IsEmpty);
        Assert.Equal(7, buffer.Length);
    }

    [Fact]
    public void Should_refuse_a_head_that_never_ends_or_a_body_beyond_the_limit()
    {
        var limits = new SipParserLimits { MaxMessageBytes = 256, MaxBodyBytes = 100 };
        var endless = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes("OPTIONS sip:b@h SIP/2.0\r\nX: " + new string('a', 300)));
        var huge = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes("OPTIONS sip:b@h SIP/2.0\r\nContent-Length: 101\r\n\r\n"));
        var badLength = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes("OPTIONS sip:b@h SIP/2.0\r\nl: ten\r\n\r\n"));
        var framer = new SipStreamFramer(limits);

        Assert.Equal(SipParseError.MessageTooLarge, Assert.Throws<SipParseException>(() => framer.TryRead(ref endless, out _)).Reason);
        Assert.Equal(SipParseError.BodyTooLarge, Assert.Throws<SipParseException>(() => framer.TryRead(ref huge, out _)).Reason);
        Assert.Equal(SipParseError.InvalidContentLength, Assert.Throws<SipParseException>(() => framer.TryRead(ref badLength, out _)).Reason);
    }
}
