using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace SipActors.IntegrationTests.Cluster;

/// <summary>
/// One real <c>sipactors</c> process (<c>dotnet SipActors.Cli.dll …</c>, the build next to this
/// test's), its standard output and error kept as lines with the moment each arrived, so a test
/// can wait for a line, time what it saw and kill the process with SIGKILL.
/// </summary>
internal sealed class CliProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<(TimeSpan At, string Line)> _output = [];
    private readonly List<string> _error = [];
    private readonly Stopwatch _clock;

    private CliProcess(string name, string[] args, Stopwatch clock)
    {
        Name = name;
        _clock = clock;
        var info = new ProcessStartInfo(Dotnet()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(CliDll());
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        _process = Process.Start(info) ?? throw new InvalidOperationException($"{name} did not start");
        _process.OutputDataReceived += (_, e) => Add(_output, e.Data);
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lock (_error)
                {
                    _error.Add(line);
                }
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    /// <summary>Starts <c>sipactors <paramref name="args"/></c>; <paramref name="clock"/> times its lines.</summary>
    public static CliProcess Start(string name, Stopwatch clock, params string[] args) => new(name, args, clock);

    private void Add(List<(TimeSpan, string)> lines, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (lines)
        {
            lines.Add((_clock.Elapsed, line));
        }
    }

    /// <summary>Standard output so far, with when each line arrived (on the test's clock).</summary>
    public IReadOnlyList<(TimeSpan At, string Line)> Output()
    {
        lock (_output)
        {
            return [.. _output];
        }
    }

    public IReadOnlyList<string> Error()
    {
        lock (_error)
        {
            return [.. _error];
        }
    }

    /// <summary>Waits for a line of standard output (or error, with <paramref name="error"/>) that satisfies <paramref name="match"/>.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, bool error = false)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var line = error ? Error().FirstOrDefault(match) : Output().Select(l => l.Line).FirstOrDefault(match);
            if (line is not null)
            {
                return line;
            }
            if (_process.HasExited)
            {
                Assert.Fail($"{Name} exited ({_process.ExitCode}) before the line awaited:\n{this}");
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{Name} did not print the line awaited within {timeout.TotalSeconds:0} s:\n{this}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>kill -9: no leave, no un-REGISTER, the node's sockets close with the process.</summary>
    public void KillHard() => _process.Kill(entireProcessTree: false);

    /// <summary>Waits for the process to end by itself; its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var bound = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"{Name} did not exit within {timeout.TotalSeconds:0} s:\n{this}");
        }
        return _process.ExitCode;
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append("--- ").Append(Name).Append(" output\n");
        foreach (var (at, line) in Output().TakeLast(60))
        {
            text.Append(at.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)).Append(' ').Append(line).Append('\n');
        }
        text.Append("--- ").Append(Name).Append(" error\n");
        foreach (var line in Error().TakeLast(30))
        {
            text.Append(line).Append('\n');
        }
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    /// <summary>The dotnet host running this test (the tool runs on the same runtime).</summary>
    private static string Dotnet()
        => Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet"
            ? path
            : Peers.ExternalTools.Find("dotnet", "the .NET 10 SDK");

    /// <summary>src/SipActors.Cli/bin/CONFIGURATION/net10.0/SipActors.Cli.dll, built with this project (a build-only project reference).</summary>
    private static string CliDll()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var (framework, configuration) = (output.Name, output.Parent!.Name);
        for (var dir = output; dir is not null; dir = dir.Parent)
        {
            var dll = Path.Combine(dir.FullName, "src", "SipActors.Cli", "bin", configuration, framework, "SipActors.Cli.dll");
            if (File.Exists(dll))
            {
                return dll;
            }
        }
        throw new FileNotFoundException($"SipActors.Cli.dll ({configuration}, {framework}) was not found above {output.FullName}: build tests/SipActors.IntegrationTests, which builds src/SipActors.Cli");
    }
}
