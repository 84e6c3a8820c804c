using System.CommandLine;
using System.Reflection;

namespace SipActors.Cli;

/// <summary>The <c>sipactors</c> command: <c>registrar</c> and <c>demo</c> today; <c>load</c> and <c>run</c> arrive with issue #5.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("SipActors: thousands of SIP accounts, one Akka.NET actor each.")
        {
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
            Console.WriteLine("What exists: the SIP layer, ConnectionActor and ConnectionSupervisor (10,000 accounts register in the tests),");
            Console.WriteLine("and `sipactors registrar` (try: sipactors registrar --listen udp://127.0.0.1:5060).");
            return 0;
        });
        return demo;
    }
}
