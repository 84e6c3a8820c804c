using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using SipActors.Sip.Registrar;
using static SipActors.Sip.Tests.Registrar.RegistrarConnections;

namespace SipActors.Sip.Tests.Registrar;

/// <summary>
/// The registrar's connection limits over real sockets on loopback: too many, idle, stalled
/// header, body or WebSocket frame, while a well-behaved account keeps being served.
/// </summary>
public sealed class RegistrarLimitsTests
{
    private static readonly IPEndPoint Loopback = new(IPAddress.Loopback, 0);

    private static EmbeddedRegistrar Start(Action<RegistrarLimits> limits)
    {
        var options = new EmbeddedRegistrarOptions { TcpEndPoint = Loopback, WsEndPoint = Loopback };
        limits(options.Limits);
        return EmbeddedRegistrar.Start(options);
    }

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(Bound);
        while (!condition())
        {
            await Task.Delay(20, timeout.Token).ContinueWith(t => Assert.False(t.IsCanceled, $"timed out waiting until {what}"));
        }
    }

    /// <summary>Keeps an account's connection busy with keep-alives until cancelled, as a client with keep-alives on would.</summary>
    private static async Task KeepAliveAsync(Account account, CancellationToken stop)
    {
        await Task.Yield();
        while (!stop.IsCancellationRequested)
        {
            await account.PingAsync();
            await Task.Delay(200, CancellationToken.None);
        }
    }

    [Fact]
    public async Task Should_close_connections_beyond_the_maximum_at_once_while_the_open_ones_keep_working()
    {
        await using var registrar = Start(l => l.MaxConcurrentConnections = 3);
        await using var account = await Account.ConnectAsync(registrar, "alice");
        Assert.True((await account.RegisterAsync()).Success);
        using var idle = await ConnectAsync(registrar.TcpEndPoint!);
        using var ws = new ClientWebSocket();
        ws.Options.AddSubProtocol("sip");
        await ws.ConnectAsync(new Uri($"ws://{registrar.WsEndPoint}/"), CancellationToken.None);
        await WaitUntil(() => registrar.OpenConnections == 3, "three connections are open");

        using var fourth = await ConnectAsync(registrar.TcpEndPoint!);
        var fourthClosed = await ClosedByPeerWithin(fourth, Bound);
        using var fifth = await ConnectAsync(registrar.WsEndPoint!); // raw: ClientWebSocket would try again on a new connection
        var fifthClosed = await ClosedByPeerWithin(fifth, Bound);
        var refresh = await account.RegisterAsync();
        var idleServed = await AnswersOptionsAsync(idle);
        idle.Close();
        await WaitUntil(() => registrar.OpenConnections == 2, "the closed connection's place is free");
        using var later = await ConnectAsync(registrar.TcpEndPoint!);
        var laterServed = await AnswersOptionsAsync(later);

        Assert.True(fourthClosed, "a connection beyond the maximum is closed");
        Assert.True(fifthClosed, "a WS connection beyond the maximum is closed before its handshake");
        Assert.Equal(2, registrar.RefusedConnections);
        Assert.True(refresh.Success, refresh.Error);
        Assert.True(idleServed);
        Assert.Equal(WebSocketState.Open, ws.State);
        Assert.True(laterServed, "a place freed by a closed connection is taken by the next one");
    }

    [Fact]
    public async Task Should_close_tcp_and_ws_connections_idle_for_the_timeout_but_not_an_account_that_keeps_alive()
    {
        await using var registrar = Start(l => l.IdleTimeout = TimeSpan.FromSeconds(1));
        using var stop = new CancellationTokenSource();
        // Each account keeps alive from the moment it is connected: the next one's connect may take a while.
        await using var account = await Account.ConnectAsync(registrar, "alice");
        var keepAlive = KeepAliveAsync(account, stop.Token);
        await using var wsAccount = await Account.ConnectAsync(registrar, "bob", ws: true);
        keepAlive = Task.WhenAll(keepAlive, KeepAliveAsync(wsAccount, stop.Token));
        using var silentTcp = await ConnectAsync(registrar.TcpEndPoint!);
        using var silentWs = await ConnectAsync(registrar.WsEndPoint!);
        var upgraded = await UpgradeAsync(silentWs);

        var tcpClosed = await ClosedByPeerWithin(silentTcp, Bound);
        var wsClosed = await ClosedByPeerWithin(silentWs, Bound);
        var registered = await account.RegisterAsync();
        var wsRegistered = await wsAccount.RegisterAsync();
        await stop.CancelAsync();
        await keepAlive;

        Assert.StartsWith("HTTP/1.1 101", upgraded, StringComparison.Ordinal);
        Assert.True(tcpClosed, "an idle TCP connection is closed");
        Assert.True(wsClosed, "an idle WS connection is closed");
        Assert.Equal(2, registrar.IdleTimeouts);
        Assert.True(registered.Success, registered.Error);
        Assert.True(wsRegistered.Success, wsRegistered.Error);
        Assert.False(account.Channel.IsClosed);
        Assert.False(wsAccount.Channel.IsClosed);
    }

    [Fact]
    public async Task Should_close_a_slowloris_header_while_an_account_registers()
    {
        await using var registrar = Start(l => l.IncompleteMessageTimeout = TimeSpan.FromSeconds(1));
        await using var account = await Account.ConnectAsync(registrar, "alice");
        using var slowloris = await ConnectAsync(registrar.TcpEndPoint!);
        var header = Encoding.ASCII.GetBytes("REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKslow\r\nX-Slow: " + new string('a', 10_000));
        using var stop = new CancellationTokenSource();
        var trickle = Task.Run(async () =>
        {
            // One byte every 50 ms: never idle, never finished.
            for (var i = 0; i < header.Length && !stop.IsCancellationRequested; i++)
            {
                try
                {
                    await slowloris.SendAsync(header.AsMemory(i, 1));
                }
                catch (SocketException)
                {
                    return;
                }
                await Task.Delay(50, CancellationToken.None);
            }
        });

        var registered = await account.RegisterAsync();
        var closed = await ClosedByPeerWithin(slowloris, Bound);
        await stop.CancelAsync();
        await trickle;
        var refreshed = await account.RegisterAsync();

        Assert.True(registered.Success, registered.Error);
        Assert.True(closed, "a header that never ends closes the connection");
        Assert.Equal((1L, 0L), (registrar.IncompleteMessageTimeouts, registrar.IdleTimeouts));
        Assert.True(refreshed.Success, refreshed.Error);
    }

    [Fact]
    public async Task Should_close_a_connection_whose_body_never_comes()
    {
        await using var registrar = Start(l => l.IncompleteMessageTimeout = TimeSpan.FromSeconds(1));
        await using var account = await Account.ConnectAsync(registrar, "alice");
        using var stalled = await ConnectAsync(registrar.TcpEndPoint!);
        await stalled.SendAsync(Encoding.ASCII.GetBytes(
            "MESSAGE sip:alice@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKbody\r\nMax-Forwards: 70\r\n"
            + "From: <sip:x@127.0.0.1>;tag=b\r\nTo: <sip:alice@127.0.0.1>\r\nCall-ID: body\r\nCSeq: 1 MESSAGE\r\n"
            + "Content-Type: text/plain\r\nContent-Length: 1000\r\n\r\nonly the start of it"));

        var closed = await ClosedByPeerWithin(stalled, Bound);
        var registered = await account.RegisterAsync();

        Assert.True(closed, "a body that never comes closes the connection");
        Assert.Equal(1, registrar.IncompleteMessageTimeouts);
        Assert.True(registered.Success, registered.Error);
    }

    [Fact]
    public async Task Should_close_a_stalled_WebSocket_handshake_and_a_frame_that_never_completes()
    {
        await using var registrar = Start(l => l.IncompleteMessageTimeout = TimeSpan.FromSeconds(1));
        await using var wsAccount = await Account.ConnectAsync(registrar, "bob", ws: true);
        using var handshake = await ConnectAsync(registrar.WsEndPoint!);
        await handshake.SendAsync("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"u8.ToArray());
        using var frame = await ConnectAsync(registrar.WsEndPoint!);
        var upgraded = await UpgradeAsync(frame);
        // A masked text frame announcing 100 bytes, and 10 of them.
        await frame.SendAsync(new byte[] { 0x81, 0x80 | 100, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 });

        var handshakeClosed = await ClosedByPeerWithin(handshake, Bound);
        var frameClosed = await ClosedByPeerWithin(frame, Bound);
        var registered = await wsAccount.RegisterAsync();

        Assert.StartsWith("HTTP/1.1 101", upgraded, StringComparison.Ordinal);
        Assert.True(handshakeClosed, "a handshake that never ends closes the connection");
        Assert.True(frameClosed, "a frame that never completes closes the connection");
        Assert.Equal(2, registrar.IncompleteMessageTimeouts);
        Assert.True(registered.Success, registered.Error);
    }

    [Fact]
    public async Task Should_leave_accounts_that_send_whole_messages_alone_however_short_the_incomplete_message_timeout()
    {
        // Idle at 3 s only so that a slow start of the shared machine is not taken for silence.
        await using var registrar = Start(l =>
        {
            l.IdleTimeout = TimeSpan.FromSeconds(3);
            l.IncompleteMessageTimeout = TimeSpan.FromSeconds(1);
        });

        // Each account registers back to back for 4 s from the moment it is connected: four incomplete-message timeouts of traffic.
        static async Task<(Account, List<string>)> BusyAsync(EmbeddedRegistrar registrar, string user, bool ws)
        {
            var account = await Account.ConnectAsync(registrar, user, ws);
            var failures = new List<string>();
            var started = DateTime.UtcNow;
            while (DateTime.UtcNow - started < TimeSpan.FromSeconds(4))
            {
                var result = await account.RegisterAsync();
                if (!result.Success)
                {
                    failures.Add($"{result.Cause} {result.StatusCode} {result.Error}");
                }
                await Task.Delay(50);
            }
            return (account, failures);
        }
        var runs = await Task.WhenAll(BusyAsync(registrar, "alice", ws: false), BusyAsync(registrar, "bob", ws: true));

        foreach (var (account, failures) in runs)
        {
            await using var _ = account;
            Assert.Empty(failures);
            Assert.False(account.Channel.IsClosed);
        }
        Assert.Equal((0L, 0L), (registrar.IdleTimeouts, registrar.IncompleteMessageTimeouts));
    }

    [Fact]
    public void Should_validate_each_limit_and_document_its_default()
    {
        var limits = new RegistrarLimits();

        Assert.Equal((RegistrarLimits.DefaultMaxConcurrentConnections, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(10)),
            (limits.MaxConcurrentConnections, limits.IdleTimeout, limits.IncompleteMessageTimeout));
        Assert.Throws<ArgumentOutOfRangeException>(() => limits.MaxConcurrentConnections = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => limits.IdleTimeout = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => limits.IdleTimeout = TimeSpan.FromSeconds(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => limits.IncompleteMessageTimeout = TimeSpan.Zero);
        limits.IdleTimeout = Timeout.InfiniteTimeSpan;
        limits.IncompleteMessageTimeout = Timeout.InfiniteTimeSpan;
        Assert.Equal(Timeout.InfiniteTimeSpan, limits.IdleTimeout);
    }
}
