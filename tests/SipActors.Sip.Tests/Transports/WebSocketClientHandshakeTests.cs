using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using SipActors.Sip.Transports;

namespace SipActors.Sip.Tests.Transports;

/// <summary>
/// The client side of the RFC 6455 opening handshake, against a raw TCP peer that answers as it
/// is told: a 101 checked for its accept value and subprotocol, and frames that arrive in the same
/// read as the 101 still delivered.
/// </summary>
public sealed class WebSocketClientHandshakeTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private const string Options = "OPTIONS sip:alice@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/WS abc.invalid;branch=z9hG4bK-1\r\nMax-Forwards: 70\r\nTo: <sip:alice@127.0.0.1>\r\nFrom: <sip:bob@127.0.0.1>;tag=1\r\nCall-ID: ws-prefix-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";

    private sealed class Collector : ISipMessageSink
    {
        public TaskCompletionSource<SipMessage> First { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnMessage(SipMessage message, SipChannel channel) => First.TrySetResult(message);

        public void OnMalformed(SipParseException error, SipChannel channel) => First.TrySetException(error);
    }

    /// <summary>Accepts one connection, reads the upgrade request, answers with <paramref name="answer"/> built from the request's key.</summary>
    private static async Task<(Uri Uri, Task<string> Request)> PeerAsync(Func<string, byte[]> answer)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var uri = new Uri($"ws://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/sip/ws");
        var request = Task.Run(async () =>
        {
            try
            {
                using var socket = await listener.AcceptSocketAsync();
                var buffer = new byte[4096];
                var length = 0;
                while (!Encoding.ASCII.GetString(buffer, 0, length).Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    length += await socket.ReceiveAsync(buffer.AsMemory(length));
                }
                var text = Encoding.ASCII.GetString(buffer, 0, length);
                var key = Regex.Match(text, "Sec-WebSocket-Key: (\\S+)").Groups[1].Value;
                await socket.SendAsync(answer(key));
                await Task.Delay(500); // long enough for the client to read what was sent
                return text;
            }
            finally
            {
                listener.Stop();
            }
        });
        await Task.Yield();
        return (uri, request);
    }

    private static string Accept(string key) =>
        Convert.ToBase64String(System.Security.Cryptography.SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));

    private static byte[] Head(string accept, string protocol = "sip") =>
        Encoding.ASCII.GetBytes($"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\nSec-WebSocket-Protocol: {protocol}\r\n\r\n");

    /// <summary>An unmasked text frame (a server's), FIN set, with a 16-bit length.</summary>
    private static byte[] TextFrame(string text)
    {
        var payload = Encoding.ASCII.GetBytes(text);
        return [0x81, 126, (byte)(payload.Length >> 8), (byte)payload.Length, .. payload];
    }

    [Fact]
    public async Task Should_send_an_rfc_6455_upgrade_for_the_sip_subprotocol_and_deliver_a_message_that_came_with_the_101()
    {
        var (uri, request) = await PeerAsync(key => [.. Head(Accept(key)), .. TextFrame(Options)]);
        var sink = new Collector();

        await using var channel = await WebSocketChannel.ConnectAsync(uri, sink).WaitAsync(Bound);
        var message = await sink.First.Task.WaitAsync(Bound);

        Assert.Equal("ws-prefix-1", message.CallId);
        var sent = await request.WaitAsync(Bound);
        Assert.StartsWith("GET /sip/ws HTTP/1.1\r\n", sent, StringComparison.Ordinal);
        Assert.Contains($"Host: {uri.Authority}\r\n", sent, StringComparison.Ordinal);
        Assert.Contains("Sec-WebSocket-Version: 13\r\n", sent, StringComparison.Ordinal);
        Assert.Contains("Sec-WebSocket-Protocol: sip\r\n", sent, StringComparison.Ordinal);
        Assert.Equal(SipTransportKind.Ws, channel.Kind);
        Assert.Equal(IPAddress.Loopback, channel.LocalEndPoint.Address);
        Assert.NotEqual(0, channel.LocalEndPoint.Port);
    }

    [Fact]
    public async Task Should_refuse_a_101_whose_accept_value_is_not_that_of_its_key()
    {
        var (uri, _) = await PeerAsync(_ => Head(Accept("c29tZSBvdGhlciBrZXkhIQ==")));

        var error = await Assert.ThrowsAsync<SipTransportException>(() => WebSocketChannel.ConnectAsync(uri, new Collector()).WaitAsync(Bound));

        Assert.Contains($"WS connection to {uri} failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("Sec-WebSocket-Accept", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_refuse_a_101_without_the_sip_subprotocol()
    {
        var (uri, _) = await PeerAsync(key => Head(Accept(key), protocol: "chat"));

        var error = await Assert.ThrowsAsync<SipTransportException>(() => WebSocketChannel.ConnectAsync(uri, new Collector()).WaitAsync(Bound));

        Assert.Contains("subprotocol 'sip'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_name_the_status_line_of_a_refused_upgrade_without_its_control_characters()
    {
        var (uri, _) = await PeerAsync(_ => Encoding.ASCII.GetBytes("HTTP/1.1 403 Forbidden\u0007here\r\nContent-Length: 0\r\n\r\n"));

        var error = await Assert.ThrowsAsync<SipTransportException>(() => WebSocketChannel.ConnectAsync(uri, new Collector()).WaitAsync(Bound));

        Assert.Contains("refused the WebSocket upgrade: HTTP/1.1 403 Forbidden?here", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_refuse_an_answer_head_longer_than_the_limit()
    {
        var (uri, _) = await PeerAsync(_ => Encoding.ASCII.GetBytes("HTTP/1.1 101 Switching Protocols\r\nX-Filler: " + new string('a', 9000) + "\r\n\r\n"));

        var error = await Assert.ThrowsAsync<SipTransportException>(() => WebSocketChannel.ConnectAsync(uri, new Collector()).WaitAsync(Bound));

        Assert.Contains("more than 8192 bytes", error.Message, StringComparison.Ordinal);
    }
}
