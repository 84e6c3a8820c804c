using System.Net;
using System.Net.Sockets;
using SipActors.Sip.Transactions;
using SipActors.Sip.Timers;
using SipActors.Sip.Transports;
using SipActors.Sip.UserAgents;

namespace SipActors.Sip.Tests.Transports;

/// <summary>
/// <see cref="SipStack.LocalEndPoint"/>: the address a load generator sends from. Loopback has a
/// whole /8 on Linux, so 127.0.0.2 stands for a second interface.
/// </summary>
public sealed class LocalAddressTests
{
    private static readonly IPAddress Second = IPAddress.Parse("127.0.0.2");
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Should_bind_the_shared_udp_socket_to_the_local_address_and_port()
    {
        var port = FreeUdpPort(Second);
        await using var stack = new SipStack { LocalEndPoint = new IPEndPoint(Second, port) };

        var udp = stack.GetUdpTransport(IPAddress.Loopback);

        Assert.Equal(new IPEndPoint(Second, port), udp.LocalEndPoint);
        Assert.Same(udp, stack.GetUdpTransport(IPAddress.Parse("127.0.0.9")));
    }

    [Fact]
    public async Task Should_connect_over_tcp_from_the_local_address()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var wheel = new SipTimerWheel();
        var sink = new SipTransactionLayer(wheel);

        var connecting = StreamChannel.ConnectAsync(SipTransportKind.Tcp, listener.LocalEndpoint, sink, localAddress: Second);
        using var accepted = await listener.AcceptSocketAsync().WaitAsync(Bound);
        await using var channel = await connecting.WaitAsync(Bound);

        Assert.Equal(Second, ((IPEndPoint)accepted.RemoteEndPoint!).Address);
        Assert.Equal(Second, channel.LocalEndPoint.Address);
    }

    [Fact]
    public async Task Should_show_an_ipv4_address_for_a_tcp_connection_without_a_local_address()
    {
        // Without a local address the socket is dual-mode: the system reports 127.0.0.1 as ::ffff:127.0.0.1,
        // which in a Contact or Via is an IPv6 literal an IPv4-only server cannot use.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var wheel = new SipTimerWheel();
        var sink = new SipTransactionLayer(wheel);

        var connecting = StreamChannel.ConnectAsync(SipTransportKind.Tcp, listener.LocalEndpoint, sink);
        using var accepted = await listener.AcceptSocketAsync().WaitAsync(Bound);
        await using var channel = await connecting.WaitAsync(Bound);

        Assert.Equal(IPAddress.Loopback, channel.LocalEndPoint.Address);
        Assert.Equal(((IPEndPoint)accepted.RemoteEndPoint!).Port, channel.LocalEndPoint.Port);
        Assert.Equal(IPAddress.Loopback, channel.RemoteEndPoint.Address);
    }

    [Fact]
    public async Task Should_open_websocket_connections_from_the_local_address()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var wheel = new SipTimerWheel();
        var sink = new SipTransactionLayer(wheel);
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var connecting = WebSocketChannel.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/"), sink, localAddress: Second);
        using (var accepted = await listener.AcceptSocketAsync().WaitAsync(Bound))
        {
            Assert.Equal(Second, ((IPEndPoint)accepted.RemoteEndPoint!).Address);
            // Refused with an HTTP answer: a connection closed without one is a request the handler would retry.
            var request = new byte[4096];
            await accepted.ReceiveAsync(request);
            await accepted.SendAsync("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray());
        }

        var error = await Assert.ThrowsAsync<SipTransportException>(() => connecting.WaitAsync(Bound));
        Assert.Contains($"ws://127.0.0.1:{port}/", error.Message, StringComparison.Ordinal);
    }

    private static int FreeUdpPort(IPAddress address)
    {
        using var probe = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(address, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
