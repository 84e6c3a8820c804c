using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace SipActors.Sip.Transports;

/// <summary>
/// Accepts SIP over WebSocket (RFC 7118, server side, plain WS): answers the HTTP upgrade of
/// RFC 6455 §4.2 when the client offers the <c>sip</c> subprotocol, then gives the connection a
/// <see cref="WebSocketChannel"/>. Anything else gets an HTTP error and is closed. With a
/// <see cref="ConnectionGuard"/>, connections beyond its maximum are closed at once, and its
/// incomplete-message timeout covers the handshake and every frame, its idle timeout the silence.
/// </summary>
public sealed class WebSocketListenerTransport : IAsyncDisposable
{
    private const int MaxHandshakeBytes = 8192;
    private static readonly TimeSpan UnguardedHandshakeTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan CloseReplyTimeout = TimeSpan.FromSeconds(2);
    private const string BadRequest = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    private const string BadVersion = "HTTP/1.1 400 Bad Request\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    private readonly ISipMessageSink _sink;
    private readonly ConnectionGuard? _guard;
    private readonly ConcurrentDictionary<WebSocketChannel, (WebSocket WebSocket, WebSocketServerStream Stream)> _connections = new();
    private readonly LoopbackListener _listener;

    public WebSocketListenerTransport(IPEndPoint bindTo, ISipMessageSink sink, ConnectionGuard? guard = null)
    {
        _sink = sink ?? throw new ArgumentNullException(nameof(sink));
        _guard = guard;
        _listener = new LoopbackListener(bindTo, "WS", OnAccepted);
    }

    public IPEndPoint LocalEndPoint => _listener.LocalEndPoint;

    public int Connections => _connections.Count;

    private void OnAccepted(Socket socket)
    {
        if (_guard is not null && !_guard.TryAdmit())
        {
            socket.Dispose();
            return;
        }
        _ = UpgradeAsync(socket);
    }

    private async Task UpgradeAsync(Socket socket)
    {
        var stream = new WebSocketServerStream(new NetworkStream(socket, ownsSocket: true));
        _guard?.Track(stream);
        var admitted = true; // until the channel's Closed takes over the place
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_listener.Stopping);
            if (_guard is null)
            {
                timeout.CancelAfter(UnguardedHandshakeTimeout); // with a guard, its incomplete-message timeout ends a stalled handshake
            }
            var request = await ReadHeadAsync(stream, timeout.Token).ConfigureAwait(false);
            var key = WebSocketHandshake.Header(request, "Sec-WebSocket-Key");
            var protocols = WebSocketHandshake.Header(request, "Sec-WebSocket-Protocol") ?? "";
            var isUpgrade = request.StartsWith("GET ", StringComparison.Ordinal)
                && (WebSocketHandshake.Header(request, "Upgrade") ?? "").Contains("websocket", StringComparison.OrdinalIgnoreCase);
            // RFC 6455 §4.2.1: version 13 only (§4.4: a refusal names the version we speak).
            var versionOk = WebSocketHandshake.Header(request, "Sec-WebSocket-Version") == "13";
            if (!isUpgrade || !IsValidKey(key) || !versionOk || !protocols.Split(',', StringSplitOptions.TrimEntries).Contains("sip", StringComparer.OrdinalIgnoreCase))
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(versionOk ? BadRequest : BadVersion), timeout.Token).ConfigureAwait(false);
                await stream.DisposeAsync().ConfigureAwait(false);
                return;
            }
            var accept = WebSocketHandshake.AcceptFor(key);
            await stream.WriteAsync(Encoding.ASCII.GetBytes(
                $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\nSec-WebSocket-Protocol: sip\r\n\r\n"),
                timeout.Token).ConfigureAwait(false);
            stream.HandshakeDone();
            var webSocket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, SubProtocol = "sip" });
            var channel = WebSocketChannel.Accept(webSocket, _sink, (IPEndPoint)socket.LocalEndPoint!, (IPEndPoint)socket.RemoteEndPoint!);
            _connections[channel] = (webSocket, stream);
            admitted = false;
            channel.Closed += (c, error) => OnClosed((WebSocketChannel)c);
            if (channel.IsClosed)
            {
                OnClosed(channel); // it closed before the handler was there
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidDataException)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            if (admitted)
            {
                _guard?.Leave(stream); // no channel came of it
            }
        }
    }

    /// <summary>
    /// The channel is closed, by the peer, a failed send or the guard: the accepted socket must
    /// be let go here, or its descriptor stays in CLOSE_WAIT for the life of the process. Off the
    /// read loop that raised Closed: disposing the channel waits for that loop.
    /// </summary>
    private void OnClosed(WebSocketChannel channel)
    {
        if (_connections.TryRemove(channel, out var parts))
        {
            _ = Task.Run(() => ReleaseAsync(channel, parts.WebSocket, parts.Stream));
        }
    }

    /// <summary>Answers a close handshake, disposes the channel and the socket under it, and frees the connection's place. Once per connection: whoever removed it from the table.</summary>
    private async Task ReleaseAsync(WebSocketChannel channel, WebSocket webSocket, WebSocketServerStream stream)
    {
        _guard?.Leave(stream);
        if (webSocket.State == WebSocketState.CloseReceived)
        {
            // RFC 6455 §5.5.1: a Close frame is answered with one; the client's close then ends at once.
            using var timeout = new CancellationTokenSource(CloseReplyTimeout);
            try
            {
                await webSocket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
        await channel.DisposeAsync().ConfigureAwait(false);
        await stream.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Reads the HTTP request head byte by byte (it is small, and nothing after it may be consumed).</summary>
    private static async Task<string> ReadHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var head = new List<byte>(512);
        var one = new byte[1];
        while (head.Count < MaxHandshakeBytes)
        {
            if (await stream.ReadAsync(one, cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new IOException("connection closed during the WebSocket handshake");
            }
            head.Add(one[0]);
            if (head.Count >= 4 && head[^1] == '\n' && head[^2] == '\r' && head[^3] == '\n' && head[^4] == '\r')
            {
                return Encoding.ASCII.GetString([.. head]);
            }
        }
        throw new InvalidDataException("WebSocket handshake is too long");
    }

    /// <summary>RFC 6455 §4.2.1 item 5: the key is base64 of 16 bytes (a random nonce); anything else is a broken or hostile client.</summary>
    private static bool IsValidKey([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? key)
    {
        Span<byte> nonce = stackalloc byte[18]; // room for more than 16, to see a longer key for what it is
        return key is not null && Convert.TryFromBase64String(key, nonce, out var written) && written == 16;
    }

    public async ValueTask DisposeAsync()
    {
        await _listener.DisposeAsync().ConfigureAwait(false);
        foreach (var channel in _connections.Keys)
        {
            if (_connections.TryRemove(channel, out var parts))
            {
                await ReleaseAsync(channel, parts.WebSocket, parts.Stream).ConfigureAwait(false);
            }
        }
    }
}
