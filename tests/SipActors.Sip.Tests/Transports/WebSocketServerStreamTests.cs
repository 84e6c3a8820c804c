using SipActors.Sip.Transports;

namespace SipActors.Sip.Tests.Transports;

/// <summary>How the watched stream under an accepted WebSocket follows RFC 6455 frames to know when a message is unfinished.</summary>
public sealed class WebSocketServerStreamTests
{
    /// <summary>A client frame (masked, as RFC 6455 §5.3 wants from a client) with the given payload length.</summary>
    private static byte[] Frame(int opcode, bool fin, int length)
    {
        var header = new List<byte> { (byte)((fin ? 0x80 : 0) | opcode) };
        if (length < 126)
        {
            header.Add((byte)(0x80 | length));
        }
        else if (length <= ushort.MaxValue)
        {
            header.AddRange([0x80 | 126, (byte)(length >> 8), (byte)length]);
        }
        else
        {
            header.Add(0x80 | 127);
            header.AddRange(BitConverter.GetBytes((ulong)length).Reverse());
        }
        header.AddRange([9, 8, 7, 6]); // the mask
        return [.. header, .. new byte[length]];
    }

    /// <summary>Reads <paramref name="bytes"/> through a fresh stream in pieces of <paramref name="piece"/> bytes; the mark after each read.</summary>
    private static async Task<(WebSocketServerStream Stream, List<long> Marks)> ReadAsync(byte[] bytes, int piece)
    {
        var stream = new WebSocketServerStream(new MemoryStream(bytes));
        stream.HandshakeDone();
        var marks = new List<long>();
        var buffer = new byte[piece];
        while (await stream.ReadAsync(buffer) > 0)
        {
            marks.Add(stream.UnfinishedMessageSince);
        }
        return (stream, marks);
    }

    [Fact]
    public void Should_count_the_handshake_as_unfinished_until_it_is_done()
    {
        var stream = new WebSocketServerStream(new MemoryStream());

        var before = stream.UnfinishedMessageSince;
        stream.HandshakeDone();

        Assert.NotEqual(0, before);
        Assert.Equal(0, stream.UnfinishedMessageSince);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(300)] // 16-bit length
    [InlineData(70_000)] // 64-bit length
    public async Task Should_be_between_messages_after_each_whole_frame_read_in_any_pieces(int length)
    {
        var bytes = Frame(1, fin: true, length).Concat(Frame(1, fin: true, length)).ToArray();

        foreach (var piece in new[] { 1, 7, 4096, bytes.Length })
        {
            var (stream, marks) = await ReadAsync(bytes, piece);

            Assert.Equal(0, marks[^1]);
            Assert.Equal(marks.Count, stream.ReadCount);
        }
        var (_, frameByFrame) = await ReadAsync(bytes, bytes.Length / 2);
        Assert.All(frameByFrame, m => Assert.Equal(0, m));
    }

    [Fact]
    public async Task Should_mark_a_frame_cut_short_with_the_read_that_began_it()
    {
        var bytes = Frame(1, fin: true, 100)[..20];

        var (_, marks) = await ReadAsync(bytes, 5);

        Assert.Equal([1L, 1L, 1L, 1L], marks);
    }

    [Fact]
    public async Task Should_hold_a_fragmented_message_unfinished_across_pings_until_its_last_fragment()
    {
        var first = Frame(1, fin: false, 10);
        var ping = Frame(9, fin: true, 0);
        var last = Frame(0, fin: true, 10);

        var (_, marks) = await ReadAsync([.. first, .. ping, .. last], first.Length);

        // After the first fragment: unfinished (read 1). The ping is a whole control frame in the middle of the message.
        Assert.Equal(1, marks[0]);
        Assert.NotEqual(0, marks[1]);
        Assert.Equal(0, marks[^1]);
    }

    [Fact]
    public async Task Should_start_a_new_mark_for_a_message_begun_after_one_completed_in_the_same_read()
    {
        var whole = Frame(1, fin: true, 10);
        var next = Frame(1, fin: true, 10);
        var bytes = whole.Concat(next[..5]).Concat(next[5..]).ToArray();

        var (_, marks) = await ReadAsync(bytes, whole.Length + 5);

        Assert.Equal([1L, 0L], marks);
    }
}
