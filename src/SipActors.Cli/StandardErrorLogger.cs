using Akka.Actor;
using Akka.Event;

namespace SipActors.Cli;

/// <summary>
/// Akka's log lines on standard error: standard output carries the commands' own results (event
/// lines, JSON lines, progress), which a log line in between would corrupt for whoever parses them.
/// </summary>
internal sealed class StandardErrorLogger : ReceiveActor
{
    /// <summary>The HOCON that routes Akka's logging here.</summary>
    public const string Config = "akka.loggers = [\"SipActors.Cli.StandardErrorLogger, SipActors.Cli\"]";

    public StandardErrorLogger()
    {
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(e => Console.Error.WriteLine(e.ToString()));
    }
}
