using System.Net;
using System.Net.Sockets;

namespace SipActors.Cli.Tests.Cluster;

/// <summary>
/// One <c>sipactors</c> command running in this process until it ends or is stopped (Ctrl+C), its
/// output readable while it runs.
/// </summary>
internal sealed class RunningCommand : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();

    private RunningCommand(string[] args)
    {
        Args = args;
        Exit = Task.Run(() => Program.RunAsync(args, Output, Error, _stop.Token));
    }

    public string[] Args { get; }

    public ConcurrentStringWriter Output { get; } = new();

    public ConcurrentStringWriter Error { get; } = new();

    public Task<int> Exit { get; }

    public static RunningCommand Start(params string[] args) => new(args);

    /// <summary>Waits for a line of the output that satisfies <paramref name="match"/>; fails with the output so far.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout) => WaitForLineAsync(Output, match, timeout);

    /// <summary>Waits for a line of standard error that satisfies <paramref name="match"/>.</summary>
    public Task<string> WaitForErrorLineAsync(Func<string, bool> match, TimeSpan timeout) => WaitForLineAsync(Error, match, timeout);

    private async Task<string> WaitForLineAsync(ConcurrentStringWriter writer, Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (writer.Lines().FirstOrDefault(match) is { } line)
            {
                return line;
            }
            if (Exit.IsCompleted)
            {
                Assert.Fail($"'{string.Join(' ', Args)}' ended ({await Exit}) before the line awaited:\n{this}");
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"'{string.Join(' ', Args)}' did not print the line awaited within {timeout.TotalSeconds:0} s:\n{this}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Ctrl+C, then the exit code (bounded).</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        await _stop.CancelAsync();
        return await Exit.WaitAsync(timeout);
    }

    /// <summary>A loopback TCP port free a moment ago (the node binds it next).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public override string ToString() => $"--- output\n{Output}\n--- error\n{Error}";

    public async ValueTask DisposeAsync()
    {
        if (!Exit.IsCompleted)
        {
            await _stop.CancelAsync();
            try
            {
                await Exit.WaitAsync(TimeSpan.FromSeconds(60));
            }
            catch (TimeoutException)
            {
            }
        }
        _stop.Dispose();
    }
}
