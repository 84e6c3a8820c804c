using System.Buffers;

namespace SipActors.Sip.Tests.TestData;

/// <summary>Builds a ReadOnlySequence split into segments of a given size, the way a socket may deliver a stream.</summary>
internal static class SegmentedSequence
{
    public static ReadOnlySequence<byte> Create(ReadOnlySpan<byte> data, int segmentSize)
    {
        if (data.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }
        Segment? first = null;
        Segment? last = null;
        for (var i = 0; i < data.Length; i += segmentSize)
        {
            var chunk = data.Slice(i, Math.Min(segmentSize, data.Length - i)).ToArray();
            var segment = new Segment(chunk, last?.RunningIndex + last?.Memory.Length ?? 0);
            if (last is null)
            {
                first = segment;
            }
            else
            {
                last.SetNext(segment);
            }
            last = segment;
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] data, long runningIndex)
        {
            Memory = data;
            RunningIndex = runningIndex;
        }

        public void SetNext(Segment next) => Next = next;
    }
}
