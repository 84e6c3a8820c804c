using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using SipActors.Sip.Headers;

namespace SipActors.Sip.Tests.UserAgents;

/// <summary>
/// A TCP "registrar" on loopback that follows a script per request: answer 200, close the
/// connection without answering, or stay silent. It records every request with the number of
/// the connection (0, 1, ...) it came on, so a test can see what was sent again, and where.
/// </summary>
internal sealed partial class ScriptedTcpRegistrar : IAsyncDisposable
{
    public enum Reply { Answer, Close, Ignore }

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<int, SipRequest, Reply> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly List<Task> _connections = [];
    private readonly Task _accepting;
    private int _accepted;

    public ScriptedTcpRegistrar(Func<int, SipRequest, Reply> script)
    {
        _script = script;
        _listener.Start();
        EndPoint = (IPEndPoint)_listener.LocalEndpoint;
        _accepting = Task.Run(AcceptAsync);
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Every request received, with the connection it came on.</summary>
    public List<(int Connection, SipRequest Request)> Requests { get; } = [];

    public int Connections => Volatile.Read(ref _accepted);

    /// <summary>Closes connection <paramref name="index"/> from the server side (as a server dropping an idle flow does).</summary>
    public void CloseConnection(int index)
    {
        lock (_sockets)
        {
            _sockets[index].Shutdown(SocketShutdown.Both);
            _sockets[index].Close();
        }
    }

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
            lock (_sockets)
            {
                var index = _sockets.Count;
                _sockets.Add(socket);
                _connections.Add(Task.Run(() => ServeAsync(socket, index)));
                Interlocked.Increment(ref _accepted);
            }
        }
    }

    private async Task ServeAsync(Socket socket, int index)
    {
        var pending = new List<byte>();
        var buffer = new byte[8192];
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    return;
                }
                pending.AddRange(buffer.AsSpan(0, read));
                while (TakeMessage(pending) is { } bytes)
                {
                    if (SipMessage.Parse(bytes) is not SipRequest request)
                    {
                        continue;
                    }
                    lock (Requests)
                    {
                        Requests.Add((index, request));
                    }
                    switch (_script(index, request))
                    {
                        case Reply.Answer:
                            await socket.SendAsync(Ok(request));
                            break;
                        case Reply.Close:
                            socket.Shutdown(SocketShutdown.Both);
                            socket.Close();
                            return;
                    }
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>One whole message off the front of <paramref name="pending"/> (CRLF keep-alives skipped), or null.</summary>
    private static byte[]? TakeMessage(List<byte> pending)
    {
        while (pending.Count >= 2 && pending[0] == '\r' && pending[1] == '\n')
        {
            pending.RemoveRange(0, 2);
        }
        var text = Encoding.ASCII.GetString(pending.ToArray());
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return null;
        }
        var match = ContentLength().Match(text[..end]);
        var total = end + 4 + (match.Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0);
        if (pending.Count < total)
        {
            return null;
        }
        var message = pending.GetRange(0, total).ToArray();
        pending.RemoveRange(0, total);
        return message;
    }

    [GeneratedRegex(@"(?im)^(?:Content-Length|l)\s*:\s*(\d+)")]
    private static partial Regex ContentLength();

    private static byte[] Ok(SipRequest request)
    {
        var text = new StringBuilder("SIP/2.0 200 OK\r\n");
        foreach (var via in request.Headers.GetValues(SipHeaderId.Via))
        {
            text.Append("Via: ").Append(via).Append("\r\n");
        }
        text.Append("From: ").Append(request.Headers.GetFirst(SipHeaderId.From)).Append("\r\n");
        text.Append("To: ").Append(request.Headers.GetFirst(SipHeaderId.To)).Append(";tag=scripted\r\n");
        text.Append("Call-ID: ").Append(request.CallId).Append("\r\n");
        text.Append("CSeq: ").Append(request.Headers.GetFirst(SipHeaderId.CSeq)).Append("\r\n");
        if (request.Method == SipMethod.Register && request.Headers.GetFirst(SipHeaderId.Contact) is { } contact
            && request.Headers.GetFirst(SipHeaderId.Expires) != "0")
        {
            text.Append("Contact: ").Append(contact).Append(";expires=300\r\n");
        }
        text.Append("Content-Length: 0\r\n\r\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] connections;
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }
            connections = [.. _connections];
        }
        await Task.WhenAll(connections);
        _stop.Dispose();
    }
}
