using System.Net;
using System.Net.Sockets;

namespace SipActors.Sip.Transports;

/// <summary>A listening TCP socket with its accept loop; what to do with each connection is the caller's.</summary>
internal sealed class LoopbackListener : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;

    public LoopbackListener(IPEndPoint bindTo, string kind, Action<Socket> onAccepted)
    {
        ArgumentNullException.ThrowIfNull(bindTo);
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
            throw new SipTransportException($"cannot listen on {kind} {bindTo}: {e.Message}", e);
        }
        LocalEndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _accepting = Task.Run(() => AcceptLoopAsync(onAccepted));
    }

    public IPEndPoint LocalEndPoint { get; }

    public CancellationToken Stopping => _stopping.Token;

    private async Task AcceptLoopAsync(Action<Socket> onAccepted)
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
            onAccepted(socket);
        }
    }

    private int _disposed;

    /// <summary>Stops accepting; a second call does nothing (DisposeAsync may be called more than once).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _accepting.ConfigureAwait(false);
        _stopping.Dispose();
    }
}
