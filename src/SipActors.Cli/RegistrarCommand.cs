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
        var listen = new Option<string>("--listen") { Description = "Where to listen, comma-separated: udp://127.0.0.1:PORT[,tcp://127.0.0.1:PORT][,ws://127.0.0.1:PORT] (loopback only).", DefaultValueFactory = _ => "udp://127.0.0.1:5060" };
        var realm = new Option<string>("--realm") { Description = "Digest realm.", DefaultValueFactory = _ => "sipactors" };
        var minExpires = new Option<int>("--min-expires") { Description = "Shortest binding accepted, seconds (423 below).", DefaultValueFactory = _ => 5 };
        var quiet = new Option<bool>("--quiet") { Description = "Print a count per second instead of a line per registration." };
        var limits = new RegistrarLimits();
        var maxConnections = new Option<int>("--max-connections") { Description = "TCP and WS connections open at once; more are closed as soon as they are accepted.", DefaultValueFactory = _ => limits.MaxConcurrentConnections, HelpName = "N" };
        var idleTimeout = new Option<int>("--idle-timeout") { Description = "Seconds without a byte after which a TCP or WS connection is closed.", DefaultValueFactory = _ => (int)limits.IdleTimeout.TotalSeconds, HelpName = "S" };
        var incompleteTimeout = new Option<int>("--incomplete-message-timeout") { Description = "Seconds a message, WebSocket frame or handshake may stay unfinished before its connection is closed.", DefaultValueFactory = _ => (int)limits.IncompleteMessageTimeout.TotalSeconds, HelpName = "S" };
        foreach (var option in new[] { maxConnections, idleTimeout, incompleteTimeout })
        {
            option.Validators.Add(r =>
            {
                if (r.Tokens.Count > 0 && int.TryParse(r.Tokens[^1].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value < 1)
                {
                    r.AddError(string.Create(CultureInfo.InvariantCulture, $"{option.Name} must be at least 1, not {value}"));
                }
            });
        }
        var command = new Command("registrar", "Run the embedded registrar (digest auth, password = \"pw-\" + user) until Ctrl+C.") { listen, realm, minExpires, maxConnections, idleTimeout, incompleteTimeout, quiet };
        command.SetAction(async (result, cancellationToken) =>
        {
            IPEndPoint? udp = null;
            IPEndPoint? tcp = null;
            IPEndPoint? ws = null;
            foreach (var url in result.GetValue(listen)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("udp" or "tcp" or "ws") || uri.Port <= 0
                    || !IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) || !IPAddress.IsLoopback(address))
                {
                    await Console.Error.WriteLineAsync($"--listen '{url}' must be udp://, tcp:// or ws:// <loopback address>:<port>");
                    return 2;
                }
                if (uri.Scheme == "udp")
                {
                    udp = new IPEndPoint(address, uri.Port);
                }
                else if (uri.Scheme == "tcp")
                {
                    tcp = new IPEndPoint(address, uri.Port);
                }
                else
                {
                    ws = new IPEndPoint(address, uri.Port);
                }
            }
            if (udp is null)
            {
                await Console.Error.WriteLineAsync("--listen needs a udp:// address (the registrar always listens on UDP)");
                return 2;
            }
            await using var registrar = EmbeddedRegistrar.Start(new EmbeddedRegistrarOptions
            {
                UdpEndPoint = udp,
                TcpEndPoint = tcp,
                WsEndPoint = ws,
                Realm = result.GetValue(realm)!,
                MinExpires = result.GetValue(minExpires),
                Limits = new RegistrarLimits
                {
                    MaxConcurrentConnections = result.GetValue(maxConnections),
                    IdleTimeout = TimeSpan.FromSeconds(result.GetValue(idleTimeout)),
                    IncompleteMessageTimeout = TimeSpan.FromSeconds(result.GetValue(incompleteTimeout)),
                },
            });
            var isQuiet = result.GetValue(quiet);
            if (!isQuiet)
            {
                registrar.Registered += (user, contact, expires) =>
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.Now:HH:mm:ss.fff} {(expires == 0 ? "unregistered" : "registered  ")} {user} {contact} {expires}s"));
            }
            Console.WriteLine($"listening udp://{registrar.UdpEndPoint}{(registrar.TcpEndPoint is { } t ? $" tcp://{t}" : "")}{(registrar.WsEndPoint is { } w ? $" ws://{w}" : "")} realm {registrar.Realm}");
            try
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    await Task.Delay(1000, cancellationToken);
                    if (isQuiet)
                    {
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.Now:HH:mm:ss} users {registrar.RegisteredUsers} registrations {registrar.SuccessfulRegistrations} challenges {registrar.Challenges} connections {registrar.OpenConnections} refused {registrar.RefusedConnections} idle-closed {registrar.IdleTimeouts} incomplete-closed {registrar.IncompleteMessageTimeouts}"));
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
