using System.CommandLine;
using System.Globalization;
using System.Net;
using SipActors.Sip.Registrar;

namespace SipActors.Cli;

/// <summary><c>sipactors registrar</c>: the embedded registrar on its own, for demos, manual tests and load runs.</summary>
internal static class RegistrarCommand
{
    public static Command Create()
    {
        var listen = new Option<string>("--listen") { Description = "Where to listen: udp://127.0.0.1:PORT (loopback only; TCP and WS listeners come later).", DefaultValueFactory = _ => "udp://127.0.0.1:5060" };
        var realm = new Option<string>("--realm") { Description = "Digest realm.", DefaultValueFactory = _ => "sipactors" };
        var minExpires = new Option<int>("--min-expires") { Description = "Shortest binding accepted, seconds (423 below).", DefaultValueFactory = _ => 5 };
        var quiet = new Option<bool>("--quiet") { Description = "Print a count per second instead of a line per registration." };
        var command = new Command("registrar", "Run the embedded registrar (digest auth, password = \"pw-\" + user) until Ctrl+C.") { listen, realm, minExpires, quiet };
        command.SetAction(async (result, cancellationToken) =>
        {
            var url = result.GetValue(listen)!;
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != "udp" || !IPAddress.TryParse(uri.Host, out var address) || !IPAddress.IsLoopback(address))
            {
                await Console.Error.WriteLineAsync($"--listen '{url}' must be udp://<loopback address>:<port>");
                return 2;
            }
            await using var registrar = EmbeddedRegistrar.Start(new EmbeddedRegistrarOptions
            {
                UdpEndPoint = new IPEndPoint(address, uri.Port),
                Realm = result.GetValue(realm)!,
                MinExpires = result.GetValue(minExpires),
            });
            var isQuiet = result.GetValue(quiet);
            if (!isQuiet)
            {
                registrar.Registered += (user, contact, expires) =>
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.Now:HH:mm:ss.fff} {(expires == 0 ? "unregistered" : "registered  ")} {user} {contact} {expires}s"));
            }
            Console.WriteLine($"listening udp://{registrar.UdpEndPoint} realm {registrar.Realm}");
            try
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    await Task.Delay(1000, cancellationToken);
                    if (isQuiet)
                    {
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.Now:HH:mm:ss} users {registrar.RegisteredUsers} registrations {registrar.SuccessfulRegistrations} challenges {registrar.Challenges}"));
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            return 0;
        });
        return command;
    }
}
