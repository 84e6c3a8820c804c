using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace SipActors.Sip.Transports;

/// <summary>
/// Accepts TCP connections (server side, e.g. for the embedded registrar) and gives each a
/// <see cref="StreamChannel"/> whose messages go to the sink; replies to a request go back on the
/// connection it came on. With a <see cref="ConnectionGuard"/>, connections beyond its maximum are
/// closed at once and silent or stalled ones are closed by its timeouts. Closing the listener
/// closes every connection.
/// </summary>
public sealed class TcpListenerTransport : IAsyncDisposable
{
    private readonly ISipMessageSink _sink;
    private readonly ConnectionGuard? _guard;
    private readonly ConcurrentDictionary<StreamChannel, byte> _connections = new();
    private readonly LoopbackListener _listener;

    public TcpListenerTransport(IPEndPoint bindTo, ISipMessageSink sink, ConnectionGuard? guard = null)
    {
        _sink = sink ?? throw new ArgumentNullException(nameof(sink));
        _guard = guard;
        _listener = new LoopbackListener(bindTo, "TCP", OnAccepted);
    }

    public IPEndPoint LocalEndPoint => _listener.LocalEndPoint;

    /// <summary>Connections open now.</summary>
    public int Connections => _connections.Count;

    private void OnAccepted(Socket socket)
    {
        if (_guard is not null && !_guard.TryAdmit())
        {
            socket.Dispose();
            return;
        }
        var channel = StreamChannel.Accept(socket, _sink);
        var guarded = _guard is null ? null : new GuardedChannel(channel);
        _connections[channel] = 0;
        channel.Closed += (c, error) => OnClosed((StreamChannel)c, guarded);
        if (guarded is not null)
        {
            _guard!.Track(guarded);
        }
        if (channel.IsClosed)
        {
            OnClosed(channel, guarded); // it closed before the handler was there
        }
    }

    private void OnClosed(StreamChannel channel, GuardedChannel? guarded)
    {
        if (_connections.TryRemove(channel, out _) && guarded is not null)
        {
            _guard!.Leave(guarded);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _listener.DisposeAsync().ConfigureAwait(false);
        foreach (var connection in _connections.Keys)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The guard's view of an accepted TCP connection.</summary>
    private sealed class GuardedChannel(StreamChannel channel) : IGuardedConnection
    {
        public long ReadCount => channel.ReadCount;
        public long UnfinishedMessageSince => channel.UnfinishedMessageSince;
        public void Abort() => _ = AbortAsync();

        private async Task AbortAsync()
        {
            try
            {
                await channel.CloseAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // The listener closed it meanwhile.
            }
        }
    }
}
