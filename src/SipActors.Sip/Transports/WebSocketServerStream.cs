namespace SipActors.Sip.Transports;

/// <summary>
/// The byte stream under an accepted WebSocket, watched for a <see cref="ConnectionGuard"/>: it
/// counts reads and follows the RFC 6455 §5.2 frame layout of what it reads (header, extended
/// length, mask, payload; fragments until FIN), so it knows whether the connection is between
/// messages without touching the WebSocket itself. Until <see cref="HandshakeDone"/> the whole
/// connection counts as one unfinished message: the upgrade request must come at once.
/// </summary>
internal sealed class WebSocketServerStream(Stream inner) : Stream, IGuardedConnection
{
    private readonly byte[] _header = new byte[14];
    private long _reads;
    private long _unfinishedSince = 1; // the handshake, from the first moment
    private bool _framing;
    private int _headerLength;
    private int _headerNeeded = 2;
    private long _payloadLeft;
    private bool _inFragmentedMessage;
    private int _disposed;

    public long ReadCount => Volatile.Read(ref _reads);

    public long UnfinishedMessageSince => Volatile.Read(ref _unfinishedSince);

    /// <summary>The 101 is sent: from here on the bytes are frames, and the connection is between messages.</summary>
    public void HandshakeDone()
    {
        _framing = true;
        Volatile.Write(ref _unfinishedSince, 0);
    }

    public void Abort() => Dispose();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (n > 0)
        {
            Observe(buffer.Span[..n]);
        }
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = inner.Read(buffer, offset, count);
        if (n > 0)
        {
            Observe(buffer.AsSpan(offset, n));
        }
        return n;
    }

    // One reader at a time (the handshake, then the WebSocket's receive loop): plain fields suffice;
    // the guard reads the two published values with Volatile.
    private void Observe(ReadOnlySpan<byte> bytes)
    {
        var reads = _reads + 1;
        Volatile.Write(ref _reads, reads);
        if (!_framing)
        {
            return;
        }
        var completed = false;
        while (!bytes.IsEmpty)
        {
            if (_payloadLeft > 0)
            {
                var take = (int)Math.Min(_payloadLeft, bytes.Length);
                _payloadLeft -= take;
                bytes = bytes[take..];
                completed |= _payloadLeft == 0 && EndFrame();
                continue;
            }
            _header[_headerLength++] = bytes[0];
            bytes = bytes[1..];
            if (_headerLength == 2)
            {
                var length7 = _header[1] & 0x7F;
                _headerNeeded = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + ((_header[1] & 0x80) != 0 ? 4 : 0);
            }
            if (_headerLength >= 2 && _headerLength == _headerNeeded)
            {
                _payloadLeft = PayloadLength();
                _headerLength = 0;
                if (_payloadLeft == 0)
                {
                    completed |= EndFrame();
                }
                else
                {
                    _headerNeeded = 2; // for the header after this payload
                }
            }
        }
        var atBoundary = _headerLength == 0 && _payloadLeft == 0 && !_inFragmentedMessage;
        Volatile.Write(ref _unfinishedSince, atBoundary ? 0 : completed || _unfinishedSince == 0 ? reads : _unfinishedSince);
    }

    private long PayloadLength()
    {
        var length7 = _header[1] & 0x7F;
        if (length7 < 126)
        {
            return length7;
        }
        if (length7 == 126)
        {
            return (_header[2] << 8) | _header[3];
        }
        var length = 0UL;
        for (var i = 2; i < 10; i++)
        {
            length = (length << 8) | _header[i];
        }
        return length > long.MaxValue ? long.MaxValue : (long)length; // the WebSocket refuses it anyway
    }

    /// <summary>A frame ended; true when that ended a message (a control frame, or a data frame with FIN).</summary>
    private bool EndFrame()
    {
        _headerNeeded = 2;
        var fin = (_header[0] & 0x80) != 0;
        var control = (_header[0] & 0x08) != 0;
        if (control)
        {
            return true; // pings, pongs and close may come between the fragments of a message; they do not end it
        }
        _inFragmentedMessage = !fin;
        return fin;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.WriteAsync(buffer, offset, count, cancellationToken);
    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override void Flush() => inner.Flush();
    public override bool CanRead => inner.CanRead;
    public override bool CanWrite => inner.CanWrite;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await inner.DisposeAsync().ConfigureAwait(false);
        }
        GC.SuppressFinalize(this);
    }
}
