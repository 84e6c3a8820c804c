using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using SipActors.Sip.Headers;

namespace SipActors.Sip.Tests.UserAgents;

/// <summary>
/// A UDP "server" on loopback that answers 200 to what it is told to answer, or stays silent, and
/// counts what it got: enough to play a registrar that goes away and comes back.
/// </summary>
internal sealed class FakeUdpServer : IAsyncDisposable
{
    private readonly UdpClient _socket = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly ConcurrentDictionary<string, byte> _optionsCallIds = new();
    private int _registers;

    public FakeUdpServer()
    {
        EndPoint = (IPEndPoint)_socket.Client.LocalEndPoint!;
        _loop = Task.Run(LoopAsync);
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Whether OPTIONS are answered (200).</summary>
    public volatile bool AnswerOptions = true;

    /// <summary>Whether REGISTERs are answered (200).</summary>
    public volatile bool AnswerRegister = true;

    /// <summary>Distinct OPTIONS requests received (by Call-ID: retransmissions count once).</summary>
    public int OptionsRequests => _optionsCallIds.Count;

    /// <summary>REGISTER datagrams received.</summary>
    public int RegisterDatagrams => Volatile.Read(ref _registers);

    /// <summary>Sends <paramref name="datagram"/> as it is to <paramref name="to"/> (traffic of the server's own, not an answer).</summary>
    public Task SendAsync(byte[] datagram, IPEndPoint to) => _socket.SendAsync(datagram, to).AsTask();

    public bool Silent
    {
        set => AnswerOptions = AnswerRegister = !value;
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            UdpReceiveResult datagram;
            try
            {
                datagram = await _socket.ReceiveAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            if (SipMessage.Parse(datagram.Buffer) is not SipRequest request)
            {
                continue;
            }
            bool answer;
            if (request.Method == SipMethod.Options)
            {
                _optionsCallIds.TryAdd(request.CallId!, 0);
                answer = AnswerOptions;
            }
            else if (request.Method == SipMethod.Register)
            {
                Interlocked.Increment(ref _registers);
                answer = AnswerRegister;
            }
            else
            {
                answer = false;
            }
            if (answer)
            {
                var bytes = Ok(request);
                await _socket.SendAsync(bytes, datagram.RemoteEndPoint);
            }
        }
    }

    private static byte[] Ok(SipRequest request)
    {
        var text = new StringBuilder("SIP/2.0 200 OK\r\n");
        foreach (var via in request.Headers.GetValues(SipHeaderId.Via))
        {
            text.Append("Via: ").Append(via).Append("\r\n");
        }
        text.Append("From: ").Append(request.Headers.GetFirst(SipHeaderId.From)).Append("\r\n");
        text.Append("To: ").Append(request.Headers.GetFirst(SipHeaderId.To)).Append(";tag=fake\r\n");
        text.Append("Call-ID: ").Append(request.CallId).Append("\r\n");
        text.Append("CSeq: ").Append(request.Headers.GetFirst(SipHeaderId.CSeq)).Append("\r\n");
        if (request.Method == SipMethod.Register && request.Headers.GetFirst(SipHeaderId.Contact) is { } contact)
        {
            text.Append("Contact: ").Append(contact).Append(";expires=300\r\n");
        }
        text.Append("Content-Length: 0\r\n\r\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        await _loop;
        _stop.Dispose();
    }
}
