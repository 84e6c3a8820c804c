using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Authentication;

namespace SipActors.Sip.Transports;

/// <summary>
/// SIP over WebSocket (RFC 7118): one WebSocket with subprotocol <c>sip</c>, each SIP message
/// in one WebSocket message, sent as text. Writes are serialized (a WebSocket allows one send at
/// a time); loss is reported once.
/// </summary>
public sealed class WebSocketChannel : SipChannel, IAsyncDisposable
{
    private readonly WebSocket _socket;
    private readonly ISipMessageSink _sink;
    private readonly SipParserLimits _limits;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private Task _reader = Task.CompletedTask;

    private WebSocketChannel(SipTransportKind kind, WebSocket socket, ISipMessageSink sink, SipParserLimits limits, IPEndPoint local, IPEndPoint remote)
    {
        Kind = kind;
        _socket = socket;
        _sink = sink;
        _limits = limits;
        LocalEndPoint = local;
        RemoteEndPoint = remote;
    }

    public override SipTransportKind Kind { get; }
    public override IPEndPoint LocalEndPoint { get; }
    public override IPEndPoint RemoteEndPoint { get; }

    /// <summary>
    /// Opens <c>ws://</c> or <c>wss://</c> <paramref name="uri"/> with subprotocol <c>sip</c>: a TCP
    /// connection to <paramref name="remote"/> (the URI's host and port when null), from
    /// <paramref name="localAddress"/> when given, TLS for <c>wss</c> checked as
    /// <paramref name="tls"/> says, then the opening handshake of RFC 6455 on that stream. With a
    /// <paramref name="keepAliveInterval"/>, the WebSocket sends a ping frame (RFC 6455 §5.5.2)
    /// after about that much time and closes the flow as dead when no pong comes within
    /// <paramref name="keepAliveTimeout"/>; zero sends none.
    /// </summary>
    /// <remarks>
    /// The handshake is ours rather than ClientWebSocket's: ClientWebSocket upgrades through an
    /// HTTP client connection that stays under the WebSocket with its two 4 KiB buffers, 8 KiB per
    /// account for as long as the flow lives.
    /// </remarks>
    public static async Task<WebSocketChannel> ConnectAsync(Uri uri, ISipMessageSink sink, TlsOptions? tls = null,
        SipParserLimits? limits = null, TimeSpan keepAliveInterval = default, TimeSpan keepAliveTimeout = default,
        IPAddress? localAddress = null, EndPoint? remote = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(sink);
        var kind = uri.Scheme switch
        {
            "ws" => SipTransportKind.Ws,
            "wss" => SipTransportKind.Wss,
            _ => throw new ArgumentException($"'{uri.Scheme}' is not ws or wss.", nameof(uri)),
        };
        remote ??= IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) ? new IPEndPoint(ip, uri.Port) : new DnsEndPoint(uri.IdnHost, uri.Port);
        var socket = localAddress is null
            ? new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }
            : new Socket(localAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        WebSocket webSocket;
        try
        {
            if (localAddress is not null)
            {
                socket.Bind(new IPEndPoint(localAddress, 0));
            }
            await socket.ConnectAsync(remote, cancellationToken).ConfigureAwait(false);
            stream = new NetworkStream(socket, ownsSocket: true);
            if (kind == SipTransportKind.Wss)
            {
                var options = tls ?? TlsOptions.Default;
                stream = await StreamChannel.AuthenticateAsClientAsync(stream, options.TargetHost ?? uri.IdnHost, options, cancellationToken).ConfigureAwait(false);
            }
            var framed = await WebSocketHandshake.ClientAsync(stream, uri, cancellationToken).ConfigureAwait(false);
            // Ping frames rather than CRLF: a pong is the only answer a WebSocket peer owes, and
            // Kamailio's websocket module gives it (a CRLF text message gets none). The interval is
            // drawn per flow between 80% and 100% (RFC 5626 §4.4.1), so flows opened together do not
            // ping in lockstep.
            webSocket = WebSocket.CreateFromStream(framed, new WebSocketCreationOptions
            {
                IsServer = false,
                SubProtocol = "sip",
                KeepAliveInterval = keepAliveInterval > TimeSpan.Zero
                    ? TimeSpan.FromTicks((long)(keepAliveInterval.Ticks * (0.8 + 0.2 * Random.Shared.NextDouble())))
                    : TimeSpan.Zero,
                KeepAliveTimeout = keepAliveInterval > TimeSpan.Zero
                    ? keepAliveTimeout > TimeSpan.Zero ? keepAliveTimeout : TimeSpan.FromSeconds(10)
                    : Timeout.InfiniteTimeSpan,
            });
        }
        catch (Exception e) when (e is SocketException or IOException or AuthenticationException or OperationCanceledException or SipTransportException)
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            socket.Dispose();
            var what = e is OperationCanceledException ? "timed out" : e.Message;
            throw new SipTransportException($"{kind.ViaToken()} connection to {uri} failed: {what}", e);
        }
        var channel = new WebSocketChannel(kind, webSocket, sink, limits ?? SipParserLimits.Default,
            Unmapped((IPEndPoint)socket.LocalEndPoint!), remote as IPEndPoint ?? Unmapped((IPEndPoint)socket.RemoteEndPoint!));
        channel._reader = Task.Run(channel.ReadLoopAsync);
        return channel;
    }

    /// <summary>The server side: a WebSocket a listener accepted after the HTTP upgrade (subprotocol <c>sip</c>).</summary>
    public static WebSocketChannel Accept(WebSocket socket, ISipMessageSink sink, IPEndPoint local, IPEndPoint remote, SipParserLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(sink);
        var channel = new WebSocketChannel(SipTransportKind.Ws, socket, sink, limits ?? SipParserLimits.Default, local, remote);
        channel._reader = Task.Run(channel.ReadLoopAsync);
        return channel;
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
            await _socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
        {
            OnClosed(e);
            throw new SipTransportException($"{this}: send failed: {e.Message}", e);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        Exception? error = null;
        try
        {
            while (true)
            {
                // Wait for the next message without holding a buffer: an account's flow is idle nearly
                // all the time, and a 64 KiB buffer held per connection cost ~64 KiB per WS account.
                var next = await _socket.ReceiveAsync(Memory<byte>.Empty, _closing.Token).ConfigureAwait(false);
                if (next.MessageType == WebSocketMessageType.Close)
                {
                    error = new SipTransportException($"{this}: the peer closed the WebSocket ({_socket.CloseStatus} {_socket.CloseStatusDescription})");
                    break;
                }
                if (next.EndOfMessage)
                {
                    continue; // an empty message
                }
                if (!await ReadMessageAsync().ConfigureAwait(false))
                {
                    error = new SipTransportException($"{this}: the peer closed the WebSocket ({_socket.CloseStatus} {_socket.CloseStatusDescription})");
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or SipParseException or OperationCanceledException)
        {
            // A keep-alive ping without its pong aborts the socket: the pending read fails here.
            error = e is OperationCanceledException ? new SipTransportException($"{this}: the WebSocket was aborted (no keep-alive pong in time?)", e) : e;
        }
        OnClosed(_closing.IsCancellationRequested ? null : error);
    }

    /// <summary>Reads one message into a pooled buffer that starts small and doubles up to the limit; false when the peer closed instead.</summary>
    private async Task<bool> ReadMessageAsync()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(4096, _limits.MaxMessageBytes));
        try
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                if (length == buffer.Length)
                {
                    if (length >= _limits.MaxMessageBytes)
                    {
                        throw SipParseException.Create(SipParseError.MessageTooLarge, length, $"WebSocket message exceeds {_limits.MaxMessageBytes} bytes", default);
                    }
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, _limits.MaxMessageBytes));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                result = await _socket.ReceiveAsync(buffer.AsMemory(length, Math.Min(buffer.Length, _limits.MaxMessageBytes) - length), _closing.Token).ConfigureAwait(false);
                length += result.Count;
            }
            while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return false;
            }
            var data = buffer.AsSpan(0, length);
            if (data.IndexOfAnyExcept("\r\n"u8) < 0)
            {
                return true; // a keep-alive
            }
            try
            {
                _sink.OnMessage(SipMessage.Parse(data, _limits), this);
            }
            catch (SipParseException e)
            {
                // One WebSocket message is one SIP message: a bad one does not break framing.
                _sink.OnMalformed(e, this);
            }
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Closes the WebSocket politely (bounded to 2 s), then drops it.</summary>
    public async Task CloseAsync()
    {
        if (!IsClosed && _socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
            {
            }
        }
        await _closing.CancelAsync().ConfigureAwait(false);
        _socket.Abort();
        OnClosed(null);
        await _reader.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        _socket.Dispose();
        _writeLock.Dispose();
        _closing.Dispose();
    }
}
