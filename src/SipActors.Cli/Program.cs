using System.CommandLine;
using System.Reflection;

namespace SipActors.Cli;

/// <summary>The <c>sipactors</c> command: <c>registrar</c> and <c>demo</c> today; <c>load</c> and <c>run</c> arrive with issue #5.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        // A plain root command named like the tool: RootCommand would name itself after the assembly (SipActors.Cli).
        var root = new Command("sipactors", "SipActors: thousands of SIP accounts, one Akka.NET actor each.")
        {
            new System.CommandLine.Help.HelpOption(),
            new VersionOption(),
            RegistrarCommand.Create(),
            DemoCommand(),
        };
        return root.Parse(args).Invoke();
    }

    private static Command DemoCommand()
    {
        var demo = new Command("demo", "Run the main job against the embedded default target.");
        demo.SetAction(_ =>
        {
            var version = typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?";
            Console.WriteLine($"sipactors {version}");
            Console.WriteLine("The main job, `sipactors load` against the embedded registrar, is not implemented yet (issue #5).");
            Console.WriteLine("What exists today: the SIP layer (parser, digest, transactions, transports, registration client),");
            Console.WriteLine("the first actor layer (ConnectionActor, ConnectionSupervisor, connection:* events; 10,000 accounts");
            Console.WriteLine("register in the tests) and `sipactors registrar` (try: sipactors registrar --listen udp://127.0.0.1:5060).");
            Console.WriteLine("Run `dotnet pwsh ./build.ps1 test` to see it all exercised, against Kamailio and SIPp too.");
            return 0;
        });
        return demo;
    }
}
