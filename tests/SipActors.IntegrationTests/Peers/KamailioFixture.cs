using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;

namespace SipActors.IntegrationTests.Peers;

/// <summary>
/// A real Kamailio 5.6 on 127.0.0.1 with the repo's config (tests/peers/kamailio/kamailio.cfg),
/// on free ports, in its own run directory with its own control socket, so several can run at
/// once. Started in the foreground under the test's control; killed with the fixture.
/// </summary>
public sealed partial class KamailioFixture : IAsyncLifetime
{
    private const string Install = "apt-get install kamailio kamailio-websocket-modules kamailio-tls-modules";
    private readonly StringBuilder _log = new();
    private Process? _process;
    private string _kamcmd = "";
    private string _config = "";
    private string _kamailio = "";

    public string RunDirectory { get; } = Directory.CreateTempSubdirectory("kamailio-").FullName;

    /// <summary>The config template under tests/peers/kamailio/: kamailio.cfg, or a variant of it.</summary>
    public string ConfigFile { get; init; } = "kamailio.cfg";

    public int UdpPort { get; private set; }
    public int TcpPort { get; private set; }
    public int WsPort { get; private set; }
    public int TlsPort { get; private set; }
    public int WssPort { get; private set; }

    /// <summary>The self-signed certificate Kamailio presents on TLS and WSS (CN and SAN 127.0.0.1).</summary>
    public X509Certificate2 Certificate { get; private set; } = null!;

    /// <summary>The domain accounts register in (the SipServerIp).</summary>
    public string Domain => "127.0.0.1";

    public IPEndPoint UdpEndPoint => new(IPAddress.Loopback, UdpPort);

    public async Task InitializeAsync()
    {
        var kamailio = _kamailio = ExternalTools.Find("kamailio", Install);
        _kamcmd = ExternalTools.Find("kamcmd", Install);
        var ports = FreePorts.Take(5);
        (UdpPort, TcpPort, WsPort, TlsPort, WssPort) = (ports[0], ports[1], ports[2], ports[3], ports[4]);
        await WriteTlsFilesAsync();
        var modules = new[] { "/usr/lib/x86_64-linux-gnu/kamailio/modules/", "/usr/lib/kamailio/modules/" }.FirstOrDefault(Directory.Exists)
            ?? throw new PeerNotInstalledException($"Kamailio's modules were not found: {Install}");
        var template = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "peers", "kamailio", ConfigFile));
        _config = Path.Combine(RunDirectory, "kamailio.cfg");
        await File.WriteAllTextAsync(_config, template
            .Replace("%%MODULES%%", modules, StringComparison.Ordinal)
            .Replace("%%RUN_DIR%%", RunDirectory, StringComparison.Ordinal)
            .Replace("%%UDP_PORT%%", Port(UdpPort), StringComparison.Ordinal)
            .Replace("%%TCP_PORT%%", Port(TcpPort), StringComparison.Ordinal)
            .Replace("%%WS_PORT%%", Port(WsPort), StringComparison.Ordinal)
            .Replace("%%TLS_PORT%%", Port(TlsPort), StringComparison.Ordinal)
            .Replace("%%WSS_PORT%%", Port(WssPort), StringComparison.Ordinal));
        await StartAsync(kamailio);
    }

    private async Task WriteTlsFilesAsync()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        await File.WriteAllTextAsync(Path.Combine(RunDirectory, "cert.pem"), Certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(Path.Combine(RunDirectory, "key.pem"), key.ExportPkcs8PrivateKeyPem());
        await File.WriteAllTextAsync(Path.Combine(RunDirectory, "tls.cfg"), $"""
            [server:default]
            method = TLSv1.2+
            verify_certificate = no
            require_certificate = no
            private_key = {RunDirectory}/key.pem
            certificate = {RunDirectory}/cert.pem

            [client:default]
            method = TLSv1.2+
            verify_certificate = no
            require_certificate = no
            """);
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private async Task StartAsync(string kamailio)
    {
        var info = new ProcessStartInfo(kamailio)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Foreground (-DD), log to stderr (-E), our own run dir and pid file, memory for 100k bindings.
        foreach (var a in new[] { "-f", _config, "-A", "WITH_TLS", "-DD", "-E", "-Y", RunDirectory, "-P", Path.Combine(RunDirectory, "kamailio.pid"), "-m", "512", "-M", "16" })
        {
            info.ArgumentList.Add(a);
        }
        _process = Process.Start(info) ?? throw new InvalidOperationException("kamailio did not start");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"kamailio exited with {_process.ExitCode}:\n{LogTail()}");
            }
            if (File.Exists(Path.Combine(RunDirectory, "ctl")))
            {
                var (code, _) = await ExternalTools.RunAsync(_kamcmd, ["-s", $"unix:{RunDirectory}/ctl", "core.uptime"], TimeSpan.FromSeconds(5));
                if (code == 0)
                {
                    return;
                }
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"kamailio did not answer on its control socket within 15 s:\n{LogTail()}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            if (_log.Length > 200_000)
            {
                _log.Remove(0, 100_000);
            }
            _log.AppendLine(line);
        }
    }

    /// <summary>The end of Kamailio's log, for failure messages.</summary>
    public string LogTail()
    {
        lock (_log)
        {
            var text = _log.ToString();
            return text.Length > 4000 ? text[^4000..] : text;
        }
    }

    /// <summary>Bindings in Kamailio's location table: <c>usrloc:registered_users</c>.</summary>
    public async Task<int> GetRegisteredUsersAsync()
    {
        var (code, output) = await ExternalTools.RunAsync(_kamcmd, ["-s", $"unix:{RunDirectory}/ctl", "stats.get_statistics", "all"], TimeSpan.FromSeconds(10));
        var match = RegisteredUsers().Match(output);
        if (code != 0 || !match.Success)
        {
            throw new InvalidOperationException($"kamcmd stats failed ({code}): {output}");
        }
        return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>Contacts in Kamailio's location table (<c>usrloc:location_contacts</c>): several per user when stale bindings stay.</summary>
    public async Task<int> GetContactsAsync()
    {
        var (code, output) = await ExternalTools.RunAsync(_kamcmd, ["-s", $"unix:{RunDirectory}/ctl", "stats.get_statistics", "all"], TimeSpan.FromSeconds(10));
        var match = LocationContacts().Match(output);
        if (code != 0 || !match.Success)
        {
            throw new InvalidOperationException($"kamcmd stats failed ({code}): {output}");
        }
        return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"usrloc:location_contacts\s*=\s*(\d+)")]
    private static partial Regex LocationContacts();

    /// <summary>Kamailio's location table as <c>ul.dump</c> prints it.</summary>
    public async Task<string> DumpLocationsAsync()
        => (await ExternalTools.RunAsync(_kamcmd, ["-s", $"unix:{RunDirectory}/ctl", "ul.dump"], TimeSpan.FromSeconds(10))).Output;

    /// <summary>One AOR's bindings (<c>kamcmd ul.lookup</c>): ul.dump's reply is too big for kamcmd beyond a few hundred contacts.</summary>
    public async Task<string> LookupLocationAsync(string user)
        => (await ExternalTools.RunAsync(_kamcmd, ["-s", $"unix:{RunDirectory}/ctl", "ul.lookup", "location", $"{user}@{Domain}"], TimeSpan.FromSeconds(10))).Output;

    [GeneratedRegex(@"usrloc:registered_users\s*=\s*(\d+)")]
    private static partial Regex RegisteredUsers();

    /// <summary>Stops Kamailio (its connections drop, its bindings are lost) and starts it again on the same ports.</summary>
    public async Task RestartAsync(TimeSpan downtime)
    {
        await StopAsync();
        _process?.Dispose();
        File.Delete(Path.Combine(RunDirectory, "ctl"));
        await Task.Delay(downtime);
        await StartAsync(_kamailio);
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
        try
        {
            Directory.Delete(RunDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            // SIGTERM lets Kamailio stop and reap its workers; SIGKILL only if it does not.
            await ExternalTools.RunAsync("/bin/kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5));
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
    }
}
