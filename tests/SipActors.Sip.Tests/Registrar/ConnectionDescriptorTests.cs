using System.Net;
using System.Net.WebSockets;
using SipActors.Sip.Registrar;
using static SipActors.Sip.Tests.Registrar.RegistrarConnections;

namespace SipActors.Sip.Tests.Registrar;

/// <summary>Every connection the registrar accepted gives its descriptor back once it is closed, whoever closed it.</summary>
[Collection(DescriptorCountCollection.Name)]
public sealed class ConnectionDescriptorTests
{
    private const int Connections = 40;

    private static int Descriptors()
    {
        Assert.True(Directory.Exists("/proc/self/fd"), "this test counts descriptors in /proc/self/fd (Linux)");
        return Directory.GetFiles("/proc/self/fd").Length;
    }

    private static async Task<ClientWebSocket> OpenAsync(EmbeddedRegistrar registrar)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("sip");
        await socket.ConnectAsync(new Uri($"ws://{registrar.WsEndPoint}/"), CancellationToken.None).WaitAsync(Bound);
        return socket;
    }

    [Fact]
    public async Task Should_give_back_the_descriptor_of_every_closed_or_dropped_WS_connection()
    {
        await using var registrar = EmbeddedRegistrar.Start(new EmbeddedRegistrarOptions { WsEndPoint = new IPEndPoint(IPAddress.Loopback, 0) });
        using (var warmUp = await OpenAsync(registrar))
        {
            // The client's own handler and pools are made once; only what follows is counted.
            await warmUp.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        }
        await WaitFor(() => registrar.OpenConnections == 0);
        var baseline = Descriptors();

        for (var i = 0; i < Connections; i++)
        {
            // The client closes: its close frame, then the registrar's end.
            using var client = await OpenAsync(registrar);
            using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await Record.ExceptionAsync(() => client.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", bounded.Token));
        }
        for (var i = 0; i < Connections; i++)
        {
            // The client just drops the connection after the upgrade: no close frame.
            using var socket = await ConnectAsync(registrar.WsEndPoint!);
            Assert.StartsWith("HTTP/1.1 101", await UpgradeAsync(socket), StringComparison.Ordinal);
        }
        for (var i = 0; i < Connections; i++)
        {
            using var client = await OpenAsync(registrar);
            client.Abort();
        }
        var back = await WaitFor(() => registrar.OpenConnections == 0 && Descriptors() <= baseline + 5);

        Assert.True(back, $"descriptors: {baseline} before, {Descriptors()} after {3 * Connections} WS connections came and went");
        Assert.Equal(0, registrar.OpenConnections);
    }

    [Fact]
    public async Task Should_give_back_the_descriptor_of_every_closed_TCP_connection_too()
    {
        await using var registrar = EmbeddedRegistrar.Start(new EmbeddedRegistrarOptions { TcpEndPoint = new IPEndPoint(IPAddress.Loopback, 0) });
        using (var warmUp = await ConnectAsync(registrar.TcpEndPoint!))
        {
            Assert.True(await AnswersOptionsAsync(warmUp));
        }
        await WaitFor(() => registrar.OpenConnections == 0);
        var baseline = Descriptors();

        for (var i = 0; i < 2 * Connections; i++)
        {
            using var socket = await ConnectAsync(registrar.TcpEndPoint!);
            Assert.True(await AnswersOptionsAsync(socket));
            if (i % 2 == 0)
            {
                socket.Shutdown(System.Net.Sockets.SocketShutdown.Both);
            }
        }
        var back = await WaitFor(() => registrar.OpenConnections == 0 && Descriptors() <= baseline + 5);

        Assert.True(back, $"descriptors: {baseline} before, {Descriptors()} after {2 * Connections} TCP connections came and went");
    }

    private static async Task<bool> WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            await Task.Delay(50);
        }
        return true;
    }
}
