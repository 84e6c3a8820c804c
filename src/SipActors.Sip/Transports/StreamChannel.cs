using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using SipActors.Sip.Parsing;

namespace SipActors.Sip.Transports;

/// <summary>
/// One TCP or TLS connection of one user agent (RFC 3261 §18, RFC 5626 keep-alives). A read loop
/// cuts messages out of the byte stream with <see cref="SipStreamFramer"/> and hands them to the
/// sink; writes are serialized. A lost connection, a malformed stream or <see cref="CloseAsync"/>
/// raises <see cref="SipChannel.Closed"/> exactly once.
/// </summary>
public sealed class StreamChannel : SipChannel, IAsyncDisposable
{
    private static readonly ReadOnlyMemory<byte> Ping = "\r\n\r\n"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> Pong = "\r\n"u8.ToArray();

    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly ISipMessageSink _sink;
    private readonly SipStreamFramer _framer;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private Task _reader = Task.CompletedTask;
    private long _lastPong;
    private long _reads;
    private long _unfinishedSince;

    private StreamChannel(SipTransportKind kind, Socket socket, Stream stream, ISipMessageSink sink, SipParserLimits limits)
    {
        Kind = kind;
        _socket = socket;
        _stream = stream;
        _sink = sink;
        _framer = new SipStreamFramer(limits);
        LocalEndPoint = Unmapped((IPEndPoint)socket.LocalEndPoint!);
        RemoteEndPoint = Unmapped((IPEndPoint)socket.RemoteEndPoint!);
    }

    public override SipTransportKind Kind { get; }
    public override IPEndPoint LocalEndPoint { get; }
    public override IPEndPoint RemoteEndPoint { get; }

    /// <summary>When the last CRLF pong arrived (Environment.TickCount64), 0 if none yet.</summary>
    public long LastPongTick => Interlocked.Read(ref _lastPong);

    /// <summary>
    /// Reads that returned bytes so far. A listener's idle timeout watches it: a connection on
    /// which it stops moving sends nothing. A count rather than a clock, so a read pays no clock.
    /// </summary>
    public long ReadCount => Volatile.Read(ref _reads);

    /// <summary>
    /// The <see cref="ReadCount"/> of the read that began the message still unfinished at the end
    /// of what was received, or 0 when the bytes end between messages. A listener's
    /// incomplete-message timeout watches it: a value that stays the same non-zero is a header or
    /// body that never completes (slowloris).
    /// </summary>
    public long UnfinishedMessageSince => Volatile.Read(ref _unfinishedSince);

    /// <summary>
    /// Connects (and for TLS, handshakes) within the token's time, from <paramref name="localAddress"/>
    /// when one is given (any port); failures are <see cref="SipTransportException"/>.
    /// </summary>
    public static async Task<StreamChannel> ConnectAsync(SipTransportKind kind, EndPoint remote, ISipMessageSink sink,
        TlsOptions? tls = null, SipParserLimits? limits = null, IPAddress? localAddress = null, CancellationToken cancellationToken = default)
    {
        if (kind is not (SipTransportKind.Tcp or SipTransportKind.Tls))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "A stream channel is TCP or TLS.");
        }
        ArgumentNullException.ThrowIfNull(remote);
        ArgumentNullException.ThrowIfNull(sink);
        var socket = localAddress is null
            ? new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }
            : new Socket(localAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream stream;
        try
        {
            if (localAddress is not null)
            {
                socket.Bind(new IPEndPoint(localAddress, 0));
            }
            await socket.ConnectAsync(remote, cancellationToken).ConfigureAwait(false);
            stream = new NetworkStream(socket, ownsSocket: false);
            if (kind == SipTransportKind.Tls)
            {
                stream = await HandshakeAsync(stream, remote, tls ?? TlsOptions.Default, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SocketException or IOException or AuthenticationException or OperationCanceledException)
        {
            socket.Dispose();
            var what = e is OperationCanceledException ? "timed out" : e.Message;
            throw new SipTransportException($"{kind.ViaToken()} connection to {remote} failed: {what}", e);
        }
        var channel = new StreamChannel(kind, socket, stream, sink, limits ?? SipParserLimits.Default);
        channel._reader = Task.Run(channel.ReadLoopAsync);
        return channel;
    }

    /// <summary>Wraps a connection a listener accepted (server side of TCP); reading starts at once.</summary>
    public static StreamChannel Accept(Socket socket, ISipMessageSink sink, SipParserLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(sink);
        socket.NoDelay = true;
        var channel = new StreamChannel(SipTransportKind.Tcp, socket, new NetworkStream(socket, ownsSocket: false), sink, limits ?? SipParserLimits.Default);
        channel._reader = Task.Run(channel.ReadLoopAsync);
        return channel;
    }

    private static Task<Stream> HandshakeAsync(Stream inner, EndPoint remote, TlsOptions tls, CancellationToken cancellationToken)
    {
        var host = tls.TargetHost ?? remote switch
        {
            DnsEndPoint dns => dns.Host,
            IPEndPoint ip => ip.Address.ToString(),
            _ => remote.ToString()!,
        };
        return AuthenticateAsClientAsync(inner, host, tls, cancellationToken);
    }

    /// <summary>TLS over <paramref name="inner"/> as a client of <paramref name="host"/>, the certificate checked as <paramref name="tls"/> says (TLS and WSS flows).</summary>
    internal static async Task<Stream> AuthenticateAsClientAsync(Stream inner, string host, TlsOptions tls, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = host,
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) => tls.Accepts(certificate, chain, errors),
        }, cancellationToken).ConfigureAwait(false);
        return ssl;
    }

    public override async ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        if (IsClosed)
        {
            throw new SipTransportException($"{this} is closed");
        }
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            Lose(e);
            throw new SipTransportException($"{this}: send failed: {e.Message}", e);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Sends the RFC 5626 §4.4.1 double-CRLF ping; the server answers with a single CRLF.</summary>
    public ValueTask SendKeepAliveAsync(CancellationToken cancellationToken = default) => SendAsync(Ping, cancellationToken);

    /// <summary>
    /// Pings about every <paramref name="interval"/> (RFC 5626 §4.4.1: each wait drawn between 80%
    /// and 100% of it, so flows opened together drift apart) and declares the connection dead when
    /// no pong follows within <paramref name="pongTimeout"/> (10 s in the RFC): a silent peer is
    /// reported once through <see cref="SipChannel.Closed"/>, within interval + timeout, instead of
    /// hanging its account. The timers live on the shared wheel; none is held per idle flow
    /// beyond the next deadline.
    /// </summary>
    public void StartKeepAlive(Timers.SipTimerWheel wheel, TimeSpan interval, TimeSpan? pongTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(wheel);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        var timeout = pongTimeout ?? TimeSpan.FromSeconds(10);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero, nameof(pongTimeout));
        var keepAlive = new KeepAlive(this, wheel, interval, timeout);
        wheel.Schedule(keepAlive.NextWait(), static s => _ = ((KeepAlive)s!).PingAsync(), keepAlive);
    }

    /// <summary>One flow's keep-alive: the state its wheel callbacks share, without a closure per ping.</summary>
    private sealed class KeepAlive(StreamChannel channel, Timers.SipTimerWheel wheel, TimeSpan interval, TimeSpan timeout)
    {
        private long _sentAt;

        public TimeSpan NextWait() => TimeSpan.FromTicks((long)(interval.Ticks * (0.8 + 0.2 * Random.Shared.NextDouble())));

        public async Task PingAsync()
        {
            if (channel.IsClosed)
            {
                return;
            }
            _sentAt = Environment.TickCount64;
            try
            {
                await channel.SendKeepAliveAsync().ConfigureAwait(false);
                wheel.Schedule(timeout, static s => ((KeepAlive)s!).CheckPong(), this);
            }
            catch (SipTransportException)
            {
                // The loss is already reported.
            }
            catch (ObjectDisposedException)
            {
                // The stack is shutting down.
            }
        }

        private void CheckPong()
        {
            if (channel.IsClosed)
            {
                return;
            }
            if (channel.LastPongTick < _sentAt)
            {
                channel.Lose(new SipTransportException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{channel}: no keep-alive pong within {timeout.TotalSeconds:0.#} s (RFC 5626 §4.4.1)")));
                return;
            }
            var next = NextWait() - timeout;
            try
            {
                wheel.Schedule(next > TimeSpan.Zero ? next : TimeSpan.FromMilliseconds(1), static s => _ = ((KeepAlive)s!).PingAsync(), this);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private static readonly Exception NoError = new SipTransportException("closed");
    private Exception? _lossReason;

    private async Task ReadLoopAsync()
    {
        // Zero-byte reads: the reader waits for data before it rents its buffer, so an idle account's
        // connection (the usual state) holds none; with a 16 KiB buffer pending per connection,
        // 5,000 TCP accounts held ~80 MiB.
        var reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, leaveOpen: true, useZeroByteReads: true));
        Exception? error = null;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(_closing.Token).ConfigureAwait(false);
                var reads = _reads + 1;
                Volatile.Write(ref _reads, reads);
                var buffer = result.Buffer;
                var framed = false;
                while (true)
                {
                    var kind = _framer.TryRead(ref buffer, out var message);
                    if (kind == SipFrameKind.NeedMoreData)
                    {
                        break;
                    }
                    framed = true;
                    switch (kind)
                    {
                        case SipFrameKind.Message:
                            _sink.OnMessage(message!, this);
                            break;
                        case SipFrameKind.KeepAlivePong:
                            Interlocked.Exchange(ref _lastPong, Environment.TickCount64);
                            break;
                        case SipFrameKind.KeepAlivePing:
                            _ = SendQuietlyAsync(Pong);
                            break;
                    }
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
                // A frame completed in this read: what is left began in this read.
                Volatile.Write(ref _unfinishedSince, buffer.IsEmpty ? 0 : framed || _unfinishedSince == 0 ? reads : _unfinishedSince);
                if (result.IsCompleted)
                {
                    error = buffer.IsEmpty ? null : new SipTransportException($"{this}: connection closed in the middle of a message");
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
        }
        catch (SipParseException e)
        {
            // Framing is lost: nothing after a malformed message can be trusted.
            _sink.OnMalformed(e, this);
            error = e;
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            error = e;
        }
        await reader.CompleteAsync().ConfigureAwait(false);
        Lose(_closing.IsCancellationRequested ? null : error ?? new SipTransportException($"{this}: the peer closed the connection"));
    }

    private async Task SendQuietlyAsync(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            await SendAsync(bytes).ConfigureAwait(false);
        }
        catch (SipTransportException)
        {
        }
    }

    private void Lose(Exception? error)
    {
        // The first reason wins: shutting the socket down wakes the read loop, whose own (consequential)
        // error must not be reported in place of this one.
        Interlocked.CompareExchange(ref _lossReason, error ?? NoError, null);
        error = _lossReason == NoError ? null : _lossReason;
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        _socket.Dispose();
        OnClosed(error);
    }

    /// <summary>Closes the connection; <see cref="SipChannel.Closed"/> is raised with no error.</summary>
    public async Task CloseAsync()
    {
        await _closing.CancelAsync().ConfigureAwait(false);
        Lose(null);
        await _reader.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
        _writeLock.Dispose();
        _closing.Dispose();
    }
}
