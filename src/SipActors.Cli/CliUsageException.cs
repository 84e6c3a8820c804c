namespace SipActors.Cli;

/// <summary>
/// A command line or input file the tool cannot run with. The message names the option, file:line
/// or configuration key at fault; the command exits with <see cref="ExitCodes.Usage"/>.
/// </summary>
internal sealed class CliUsageException(string message) : Exception(message);
