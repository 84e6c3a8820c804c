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
    private readonly Socket _listener;
    private readonly ISipMessageSink _sink;
    private readonly ConcurrentDictionary<StreamChannel, byte> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;

    public TcpListenerTransport(IPEndPoint bindTo, ISipMessageSink sink)
    {
        ArgumentNullException.ThrowIfNull(bindTo);
        _sink = sink ?? throw new ArgumentNullException(nameof(sink));
        _listener = new Socket(bindTo.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            _listener.Bind(bindTo);
            _listener.Listen(4096);
        }
        catch (SocketException e)
        {
            _listener.Dispose();
            throw new SipTransportException($"cannot listen on TCP {bindTo}: {e.Message}", e);
        }
        LocalEndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _accepting = Task.Run(AcceptLoopAsync);
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Connections open now.</summary>
    public int Connections => _connections.Count;

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }
                continue;
            }
            var channel = StreamChannel.Accept(socket, _sink);
            _connections[channel] = 0;
            channel.Closed += (c, error) => _connections.TryRemove((StreamChannel)c, out var _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _accepting.ConfigureAwait(false);
        foreach (var connection in _connections.Keys)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        _stopping.Dispose();
    }
}
