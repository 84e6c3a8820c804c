using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace SipActors.Sip.Transports;

/// <summary>
/// Accepts TCP connections (server side, e.g. for the embedded registrar) and gives each a
/// <see cref="StreamChannel"/> whose messages go to the sink; replies to a request go back on the
/// connection it came on. Closing the listener closes every connection.
/// </summary>
public sealed class TcpListenerTransport : IAsyncDisposable
{
    private readonly ISipMessageSink _sink;
    private readonly ConcurrentDictionary<StreamChannel, byte> _connections = new();
    private readonly LoopbackListener _listener;

    public TcpListenerTransport(IPEndPoint bindTo, ISipMessageSink sink)
    {
        _sink = sink ?? throw new ArgumentNullException(nameof(sink));
        _listener = new LoopbackListener(bindTo, "TCP", OnAccepted);
    }

    public IPEndPoint LocalEndPoint => _listener.LocalEndPoint;

    /// <summary>Connections open now.</summary>
    public int Connections => _connections.Count;

    private void OnAccepted(Socket socket)
    {
        var channel = StreamChannel.Accept(socket, _sink);
        _connections[channel] = 0;
        channel.Closed += (c, error) => _connections.TryRemove((StreamChannel)c, out var _);
    }

    public async ValueTask DisposeAsync()
    {
        await _listener.DisposeAsync().ConfigureAwait(false);
        foreach (var connection in _connections.Keys)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
