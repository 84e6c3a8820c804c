using System.Net;
using System.Net.Sockets;

namespace SipActors.Cli.Tests;

/// <summary><c>sipactors registrar</c>: its connection limits from the command line.</summary>
public sealed class RegistrarCommandSpecs
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static async Task<Socket> ConnectAsync(int port)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (true)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(IPAddress.Loopback, port);
                return socket;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                socket.Dispose();
                await Task.Delay(50); // the registrar is still starting
            }
        }
    }

    private static async Task<bool> ClosedByPeerWithin(Socket socket, TimeSpan bound)
    {
        var buffer = new byte[256];
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
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [Theory]
    [InlineData("--max-connections")]
    [InlineData("--idle-timeout")]
    [InlineData("--incomplete-message-timeout")]
    public async Task Should_refuse_a_limit_below_one_as_a_usage_error(string option)
    {
        var result = await CliInvocation.RunAsync(["registrar", option, "0"]).WaitAsync(Bound);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Contains($"{option} must be at least 1, not 0", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_apply_the_connection_limit_and_idle_timeout_given_on_the_command_line()
    {
        var port = FreePort();
        using var stop = new CancellationTokenSource();
        var run = CliInvocation.RunAsync(["registrar", "--listen", $"udp://127.0.0.1:{port},tcp://127.0.0.1:{port}",
            "--max-connections", "1", "--idle-timeout", "3", "--quiet"], stop.Token);

        using var first = await ConnectAsync(port);
        await Task.Delay(200); // let the first take the only place
        using var second = await ConnectAsync(port);
        var secondClosed = await ClosedByPeerWithin(second, TimeSpan.FromSeconds(2)); // sooner than the idle timeout could
        var firstClosed = await ClosedByPeerWithin(first, Bound);
        await stop.CancelAsync();
        var result = await run.WaitAsync(Bound);

        Assert.True(secondClosed, "the second connection is beyond --max-connections 1");
        Assert.True(firstClosed, "the first is closed after --idle-timeout 3");
        Assert.True(result.ExitCode == 0, result.ToString());
    }
}
