using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using SipActors.Sip.Registrar;

namespace SipActors.Cli;

/// <summary><c>sipactors registrar</c>: the embedded registrar on its own, for demos, manual tests and load runs.</summary>
internal static class RegistrarCommand
{
    public static Command Create()
    {
        var listen = new Option<string>("--listen") { Description = "Where to listen, comma-separated: udp://127.0.0.1:PORT[,tcp://127.0.0.1:PORT][,ws://127.0.0.1:PORT] (loopback only).", DefaultValueFactory = _ => "udp://127.0.0.1:5060" };
        var realm = new Option<string>("--realm") { Description = "Digest realm.", DefaultValueFactory = _ => "sipactors" };
        var minExpires = new Option<int>("--min-expires") { Description = "Shortest binding accepted, seconds (423 below).", DefaultValueFactory = _ => 5 }.WholeNumber("a whole number of seconds");
        var quiet = new Option<bool>("--quiet") { Description = "Print a count per second instead of a line per registration." };
        var limits = new RegistrarLimits();
        var maxConnections = new Option<int>("--max-connections") { Description = "TCP and WS connections open at once; more are closed as soon as they are accepted.", DefaultValueFactory = _ => limits.MaxConcurrentConnections, HelpName = "N" };
        var idleTimeout = new Option<int>("--idle-timeout") { Description = "Seconds without a byte after which a TCP or WS connection is closed.", DefaultValueFactory = _ => (int)limits.IdleTimeout.TotalSeconds, HelpName = "S" };
        var incompleteTimeout = new Option<int>("--incomplete-message-timeout") { Description = "Seconds a message, WebSocket frame or handshake may stay unfinished before its connection is closed.", DefaultValueFactory = _ => (int)limits.IncompleteMessageTimeout.TotalSeconds, HelpName = "S" };
        foreach (var option in new[] { maxConnections, idleTimeout, incompleteTimeout })
        {
            option.WholeNumber();
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
            var output = result.InvocationConfiguration.Output;
            var error = result.InvocationConfiguration.Error;
            IPEndPoint? udp = null;
            IPEndPoint? tcp = null;
            IPEndPoint? ws = null;
            foreach (var url in result.GetValue(listen)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("udp" or "tcp" or "ws") || uri.Port <= 0
                    || !IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) || !IPAddress.IsLoopback(address))
                {
                    await error.WriteLineAsync($"--listen '{url}' must be udp://, tcp:// or ws:// <loopback address>:<port>");
                    return ExitCodes.Usage;
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
                await error.WriteLineAsync("--listen needs a udp:// address (the registrar always listens on UDP)");
                return ExitCodes.Usage;
            }
            if (FirstInUse(udp, tcp, ws) is { } inUse)
            {
                await error.WriteLineAsync($"sipactors registrar: {inUse} is already in use (another process listens there): pick another --listen port");
                return ExitCodes.Usage;
            }
            EmbeddedRegistrar started;
            try
            {
                started = StartRegistrar();
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                // Taken between the check and the bind.
                await error.WriteLineAsync($"sipactors registrar: {string.Join(", ", Urls(udp, tcp, ws))}: an address is already in use: pick another --listen port");
                return ExitCodes.Usage;
            }
            await using var registrar = started;
            EmbeddedRegistrar StartRegistrar() => EmbeddedRegistrar.Start(new EmbeddedRegistrarOptions
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
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.Now:HH:mm:ss.fff} {(expires == 0 ? "unregistered" : "registered  ")} {user} {contact} {expires}s"));
            }
            await output.WriteLineAsync($"listening udp://{registrar.UdpEndPoint}{(registrar.TcpEndPoint is { } t ? $" tcp://{t}" : "")}{(registrar.WsEndPoint is { } w ? $" ws://{w}" : "")} realm {registrar.Realm}");
            try
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    await Task.Delay(1000, cancellationToken);
                    if (isQuiet)
                    {
                        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.Now:HH:mm:ss} users {registrar.RegisteredUsers} registrations {registrar.SuccessfulRegistrations} challenges {registrar.Challenges} connections {registrar.OpenConnections} refused {registrar.RefusedConnections} idle-closed {registrar.IdleTimeouts} incomplete-closed {registrar.IncompleteMessageTimeouts}"));
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

    private static IEnumerable<string> Urls(IPEndPoint udp, IPEndPoint? tcp, IPEndPoint? ws)
    {
        yield return $"udp://{udp}";
        if (tcp is not null)
        {
            yield return $"tcp://{tcp}";
        }
        if (ws is not null)
        {
            yield return $"ws://{ws}";
        }
    }

    /// <summary>
    /// The first listen address another socket holds, tried with a socket of its own that is closed
    /// at once. Asked before the registrar starts, so that the error can name the address (a bind
    /// failure does not) and no half-started registrar holds the others.
    /// </summary>
    private static string? FirstInUse(IPEndPoint udp, IPEndPoint? tcp, IPEndPoint? ws)
    {
        if (!CanBind(udp, SocketType.Dgram, ProtocolType.Udp))
        {
            return $"udp://{udp}";
        }
        foreach (var (scheme, endPoint) in new[] { ("tcp", tcp), ("ws", ws) })
        {
            if (endPoint is not null && endPoint.Port != 0 && !CanBind(endPoint, SocketType.Stream, ProtocolType.Tcp))
            {
                return $"{scheme}://{endPoint}";
            }
        }
        return null;
    }

    private static bool CanBind(IPEndPoint endPoint, SocketType type, ProtocolType protocol)
    {
        if (endPoint.Port == 0)
        {
            return true;
        }
        using var probe = new Socket(endPoint.AddressFamily, type, protocol);
        if (type == SocketType.Stream)
        {
            // As the registrar's listener does: a port left in TIME_WAIT is not "in use".
            probe.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        }
        try
        {
            probe.Bind(endPoint);
            if (type == SocketType.Stream)
            {
                probe.Listen(1);
            }
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return false;
        }
    }
}
