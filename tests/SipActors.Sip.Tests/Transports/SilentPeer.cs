using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace SipActors.Sip.Tests.Transports;

/// <summary>
/// A loopback peer that accepts connections and then never answers anything: no CRLF pong, no
/// WebSocket pong. With <c>webSocket</c> it first completes the HTTP upgrade (subprotocol sip),
/// so the client's flow opens and only its keep-alive can find the peer dead.
/// </summary>
internal sealed class SilentPeer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<Socket> _accepted = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly bool _webSocket;

    public SilentPeer(bool webSocket = false)
    {
        _webSocket = webSocket;
        _listener.Start();
        EndPoint = (IPEndPoint)_listener.LocalEndpoint;
        _loop = Task.Run(AcceptAsync);
    }

    public IPEndPoint EndPoint { get; }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            lock (_accepted)
            {
                _accepted.Add(socket);
            }
            if (_webSocket)
            {
                await UpgradeAsync(socket);
            }
        }
    }

    private static async Task UpgradeAsync(Socket socket)
    {
        var buffer = new byte[8192];
        var length = 0;
        while (Encoding.ASCII.GetString(buffer, 0, length).IndexOf("\r\n\r\n", StringComparison.Ordinal) < 0)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(length));
            if (read == 0)
            {
                return;
            }
            length += read;
        }
        var request = Encoding.ASCII.GetString(buffer, 0, length);
        var key = request.Split("\r\n").First(l => l.StartsWith("Sec-WebSocket-Key:", StringComparison.OrdinalIgnoreCase))["Sec-WebSocket-Key:".Length..].Trim();
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\nSec-WebSocket-Protocol: sip\r\n\r\n"));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        lock (_accepted)
        {
            foreach (var socket in _accepted)
            {
                socket.Dispose();
            }
        }
        _stop.Dispose();
    }
}
