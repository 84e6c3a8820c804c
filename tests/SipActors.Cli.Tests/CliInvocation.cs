namespace SipActors.Cli.Tests;

/// <summary>Runs one <c>sipactors</c> command line in-process with captured output.</summary>
internal sealed record CliInvocation(int ExitCode, string Output, string Error)
{
    public static async Task<CliInvocation> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await Program.RunAsync(args, output, error, cancellationToken);
        return new CliInvocation(code, output.ToString(), error.ToString());
    }

    public override string ToString() => $"exit {ExitCode}\n--- output\n{Output}\n--- error\n{Error}";
}
