using System.Net;
using System.Net.Sockets;
using System.Text;
using SipActors.Sip.Registrar;
using SipActors.Sip.Registration;
using SipActors.Sip.Timers;
using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;

namespace SipActors.Sip.Tests.Registrar;

/// <summary>Raw and well-behaved connections to a registrar's TCP and WS listeners, for the limit and leak tests.</summary>
internal static class RegistrarConnections
{
    /// <summary>How long a test waits for the registrar to act: generous, the machine is shared.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    public static async Task<Socket> ConnectAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint);
        return socket;
    }

    /// <summary>Does the registrar's side end this connection within <paramref name="bound"/>? Everything it sends is skipped.</summary>
    public static async Task<bool> ClosedByPeerWithin(Socket socket, TimeSpan bound)
    {
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(bound);
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0)
            {
            }
            return true;
        }
        catch (SocketException)
        {
            return true; // reset
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>An OPTIONS on the connection is answered 200: the connection is open and served.</summary>
    public static async Task<bool> AnswersOptionsAsync(Socket socket)
    {
        var local = (IPEndPoint)socket.LocalEndPoint!;
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP {local};branch={SipIdentifiers.NewBranch()}\r\nMax-Forwards: 70\r\n"
            + $"From: <sip:probe@127.0.0.1>;tag=p\r\nTo: <sip:127.0.0.1>\r\nCall-ID: {SipIdentifiers.NewCallId()}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"));
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(Bound);
        try
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            return Encoding.ASCII.GetString(buffer, 0, n).StartsWith("SIP/2.0 200", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The RFC 6455 upgrade by hand (a valid one unless told otherwise; a null version sends none); returns the status line and headers.</summary>
    public static async Task<string> UpgradeAsync(Socket socket, string? key = null, string? version = "13")
    {
        key ??= Convert.ToBase64String(Guid.NewGuid().ToByteArray());
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            + (version is null ? "" : $"Sec-WebSocket-Version: {version}\r\n") + "Sec-WebSocket-Protocol: sip\r\n\r\n"));
        var head = new StringBuilder();
        var one = new byte[1];
        using var timeout = new CancellationTokenSource(Bound);
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal)
            && await socket.ReceiveAsync(one, SocketFlags.None, timeout.Token) == 1)
        {
            head.Append((char)one[0]);
        }
        return head.ToString();
    }

    /// <summary>A well-behaved account: its own transaction layer and a TCP or WS connection, registered.</summary>
    public sealed class Account : IAsyncDisposable
    {
        private readonly SipTimerWheel _wheel;
        private readonly SipTransactionLayer _transactions;
        private readonly RegistrationClient _client;

        private Account(SipChannel channel, SipTransactionLayer transactions, SipTimerWheel wheel, string user, string domain)
        {
            Channel = channel;
            _transactions = transactions;
            _wheel = wheel;
            _client = new RegistrationClient(_transactions, channel, new RegistrationOptions { User = user, Domain = domain, Password = "pw-" + user });
        }

        public SipChannel Channel { get; }

        public static async Task<Account> ConnectAsync(EmbeddedRegistrar registrar, string user, bool ws = false)
        {
            var wheel = new SipTimerWheel(TimeSpan.FromMilliseconds(5));
            var transactions = new SipTransactionLayer(wheel);
            SipChannel channel = ws
                ? await WebSocketChannel.ConnectAsync(new Uri($"ws://{registrar.WsEndPoint}/"), transactions)
                : await StreamChannel.ConnectAsync(SipTransportKind.Tcp, registrar.TcpEndPoint!, transactions);
            return new Account(channel, transactions, wheel, user, registrar.Domain);
        }

        public Task<RegistrationResult> RegisterAsync() => _client.RegisterAsync().WaitAsync(Bound);

        /// <summary>A CRLF ping (TCP) or an empty text message (WS): traffic with no SIP in it.</summary>
        public ValueTask PingAsync() => Channel is StreamChannel stream ? stream.SendKeepAliveAsync() : Channel.SendAsync("\r\n\r\n"u8.ToArray());

        public async ValueTask DisposeAsync()
        {
            switch (Channel)
            {
                case StreamChannel stream:
                    await stream.DisposeAsync();
                    break;
                case WebSocketChannel webSocket:
                    await webSocket.DisposeAsync();
                    break;
            }
            _wheel.Dispose();
        }
    }
}
