using System.CommandLine;
using System.Reflection;

namespace SipActors.Cli;

/// <summary>The <c>sipactors</c> command. Only <c>demo</c> exists so far; load, run and registrar arrive with issue #5.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var demo = new Command("demo", "Run the main job against the embedded default target.");
        demo.SetAction(_ => Demo());

        // A plain root command named like the tool: RootCommand would name itself after the assembly (SipActors.Cli).
        var root = new Command("sipactors", "SipActors: thousands of SIP accounts, one Akka.NET actor each.")
        {
            new System.CommandLine.Help.HelpOption(),
            new VersionOption(),
            demo,
        };
        return root.Parse(args).Invoke();
    }

    private static int Demo()
    {
        var version = typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?";
        Console.WriteLine($"sipactors {version}");
        Console.WriteLine("The main job, `sipactors load` against the embedded registrar, is not implemented yet (issue #5).");
        Console.WriteLine("What exists today: the SIP layer (parser, digest, transactions, transports, registration client)");
        Console.WriteLine("and the first actor layer (ConnectionActor, ConnectionSupervisor, connection:* events);");
        Console.WriteLine("run `dotnet pwsh ./build.ps1 test` to see it exercised, against Kamailio too.");
        return 0;
    }
}
