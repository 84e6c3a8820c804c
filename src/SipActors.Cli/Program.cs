using System.CommandLine;
using System.Runtime.InteropServices;
using SipActors.Cli.Calls;
using SipActors.Cli.Cluster;
using SipActors.Cli.Load;
using SipActors.Cli.Run;

namespace SipActors.Cli;

/// <summary>The <c>sipactors</c> command: <c>load</c>, <c>run</c>, <c>registrar</c>, <c>demo</c>, and for a cluster <c>node</c> and <c>events</c>.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // Our own signal handling instead of System.CommandLine's: it gives the action only 2 s
        // (ProcessTerminationTimeout) before exiting with 130/143, and un-registering thousands of
        // accounts takes longer. The first Ctrl+C / SIGTERM asks for a clean stop; a second one
        // is left to the runtime and ends the process at once.
        using var stop = new CancellationTokenSource();
        void OnSignal(PosixSignalContext context)
        {
            if (!stop.IsCancellationRequested)
            {
                context.Cancel = true;
                _ = stop.CancelAsync();
            }
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        return await RunAsync(args, Console.Out, Console.Error, stop.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// Parses and runs one command line with the given output and error writers; cancelling
    /// <paramref name="cancellationToken"/> is Ctrl+C. Returns the exit code (<see cref="ExitCodes"/>).
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var parse = CreateRootCommand().Parse(args);
        if (parse.Errors.Count > 0)
        {
            // System.CommandLine answers parse errors with 1; ours are usage errors, 2.
            foreach (var parseError in parse.Errors)
            {
                await error.WriteLineAsync(parseError.Message).ConfigureAwait(false);
            }
            await error.WriteLineAsync("Run 'sipactors --help' or 'sipactors <command> --help' for the options.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        var configuration = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            ProcessTerminationTimeout = null,
            // Ours below: a usage error found while running (a bad accounts file line) is exit 2, not 1 with a stack trace.
            EnableDefaultExceptionHandler = false,
        };
        try
        {
            return await parse.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (CliUsageException e)
        {
            await error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (Exception e)
        {
            await error.WriteLineAsync($"sipactors: unexpected error: {e}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }

    internal static Command CreateRootCommand()
    {
        // A plain root command named like the tool: RootCommand would name itself after the assembly (SipActors.Cli).
        return new Command("sipactors", "SipActors: thousands of SIP accounts, one Akka.NET actor each.")
        {
            new System.CommandLine.Help.HelpOption(),
            new VersionOption(),
            LoadCommand.Create(),
            CallsCommand.Create(),
            RunCommand.Create(),
            RegistrarCommand.Create(),
            NodeCommand.Create(),
            EventsCommand.Create(),
            DemoCommand(),
        };
    }

    private static Command DemoCommand()
    {
        var demo = new Command("demo", "Register 1,000 accounts against an embedded registrar on 127.0.0.1 (sipactors load --accounts 1000); further options go to load.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        demo.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var extra = result.UnmatchedTokens.ToList();
            var args = new List<string> { "load" };
            if (!extra.Contains("--accounts") && !extra.Contains("--accounts-file"))
            {
                args.AddRange(["--accounts", "1000"]);
            }
            args.AddRange(extra);
            await output.WriteLineAsync($"sipactors demo: {string.Join(' ', args)}: registers the accounts against an embedded registrar on 127.0.0.1 (unless --server is given), un-registers them and reports.").ConfigureAwait(false);
            return await RunAsync([.. args], output, result.InvocationConfiguration.Error, cancellationToken).ConfigureAwait(false);
        });
        return demo;
    }
}
