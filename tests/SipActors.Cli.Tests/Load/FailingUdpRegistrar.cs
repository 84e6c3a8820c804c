using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SipActors.Cli.Tests.Load;

/// <summary>
/// A UDP server on loopback that answers OPTIONS with 200 and every REGISTER with the status
/// <see cref="StatusFor"/> picks from the user name: a registrar that refuses with 5xx (or, for 0, never answers).
/// </summary>
internal sealed class FailingUdpRegistrar : IAsyncDisposable
{
    private readonly UdpClient _socket = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public FailingUdpRegistrar(Func<string, int> statusFor)
    {
        StatusFor = statusFor;
        _loop = Task.Run(ServeAsync);
    }

    public Func<string, int> StatusFor { get; }

    private long _registersReceived;

    /// <summary>REGISTER datagrams received, retransmissions included.</summary>
    public long RegistersReceived => Interlocked.Read(ref _registersReceived);

    public IPEndPoint EndPoint => (IPEndPoint)_socket.Client.LocalEndPoint!;

    private async Task ServeAsync()
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
            var lines = Encoding.UTF8.GetString(datagram.Buffer).Split("\r\n");
            if (lines[0].StartsWith("SIP/2.0", StringComparison.Ordinal))
            {
                continue; // a response: nothing to answer
            }
            var method = lines[0].Split(' ')[0];
            var from = lines.FirstOrDefault(l => l.StartsWith("From:", StringComparison.OrdinalIgnoreCase)) ?? "";
            var user = from.Contains("sip:", StringComparison.Ordinal) ? from[(from.IndexOf("sip:", StringComparison.Ordinal) + 4)..].Split('@')[0] : "";
            var status = method == "REGISTER" ? StatusFor(user) : 200;
            if (method == "REGISTER")
            {
                Interlocked.Increment(ref _registersReceived);
            }
            if (status == 0)
            {
                continue; // 0: no answer at all, so the client retransmits until Timer F
            }
            var response = new StringBuilder($"SIP/2.0 {status} {(status == 200 ? "OK" : "Refused")}\r\n");
            foreach (var line in lines.Where(l => l.StartsWith("Via:", StringComparison.OrdinalIgnoreCase) || l.StartsWith("From:", StringComparison.OrdinalIgnoreCase)
                || l.StartsWith("Call-ID:", StringComparison.OrdinalIgnoreCase) || l.StartsWith("CSeq:", StringComparison.OrdinalIgnoreCase)))
            {
                response.Append(line).Append("\r\n");
            }
            var to = lines.FirstOrDefault(l => l.StartsWith("To:", StringComparison.OrdinalIgnoreCase)) ?? "To: <sip:x@127.0.0.1>";
            response.Append(to).Append(to.Contains(";tag=", StringComparison.Ordinal) ? "" : ";tag=failing").Append("\r\nContent-Length: 0\r\n\r\n");
            var bytes = Encoding.UTF8.GetBytes(response.ToString());
            try
            {
                await _socket.SendAsync(bytes, datagram.RemoteEndPoint, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        await _loop;
        _stop.Dispose();
    }
}
