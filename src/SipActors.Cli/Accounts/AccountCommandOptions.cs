using System.CommandLine;
using System.CommandLine.Parsing;
using SipActors.Cli.Load;
using SipActors.Cli.Run;
using SipActors.Configuration;
using SipActors.Sip.Transports;
using static SipActors.Cli.Accounts.OptionChecks;

namespace SipActors.Cli.Accounts;

/// <summary>
/// The options that say which accounts a run registers and how they connect, the same on every
/// command that runs accounts (<c>load</c>, <c>calls</c>): one definition, one set of checks, one
/// reading into <see cref="AccountRunOptions"/>.
/// </summary>
internal sealed class AccountCommandOptions
{
    private AccountCommandOptions(string serverDescription, string accountsDescription)
    {
        Server = new Option<string>("--server") { Description = serverDescription, HelpName = "URL" };
        Domain = new Option<string>("--domain") { Description = "SipServerIp, the host of the accounts' URIs (sip:user@DOMAIN). Default: the server's host.", HelpName = "HOST" };
        Transport = new Option<string>("--transport") { Description = "Transport to the embedded registrar (without --server): udp, tcp or ws.", DefaultValueFactory = _ => "udp", HelpName = "udp|tcp|ws" };
        Accounts = new Option<int?>("--accounts") { Description = accountsDescription, HelpName = "N" }.WholeNumber();
        First = new Option<int>("--first") { Description = "Index of the first account.", DefaultValueFactory = _ => 0, HelpName = "N" }.WholeNumber();
        UserFormat = new Option<string>("--user-format") { Description = "User name for index i: a .NET composite format with i as {0}.", DefaultValueFactory = _ => "user{0:D4}" };
        AuthUserFormat = new Option<string?>("--auth-user-format") { Description = "Digest user name when the server's differs from the SIP user: {user} is the user name, {0} the index (default: the user name)." };
        PasswordFormat = new Option<string>("--password-format") { Description = "Password: {user} is the user name, {0} the index (the embedded registrar's rule is pw-{user}).", DefaultValueFactory = _ => "pw-{user}" };
        AccountsFile = new Option<FileInfo>("--accounts-file") { Description = "CSV of accounts (RFC 4180, comma-separated, fields may be quoted), one 'user,password[,display name]' per record; a header record 'user,password,...', # comments and blank lines skipped. Instead of --accounts.", HelpName = "FILE" };
        DisplayName = new Option<string>("--display-name") { Description = "Display name of every account (a file's third column wins)." };
        Expires = new Option<int?>("--expires") { Description = "Requested registration lifetime, seconds (default: sip-actors.register-expires, 300).", HelpName = "S" }.WholeNumber("a whole number of seconds");
        Config = new Option<FileInfo>("--config") { Description = "HOCON file of sip-actors settings (timers, connect-timeout, transport, the UDP server check...) merged over the defaults; the command line wins. No accounts: they come from --accounts or --accounts-file.", HelpName = "FILE.hocon" };
        ConnectTimeout = new Option<double?>("--connect-timeout") { Description = "Seconds a connect may take before it fails (sip-actors.connect-timeout, 10).", HelpName = "S" }.Number("a number of seconds");
        TlsCert = new Option<FileInfo>("--tls-cert") { Description = "Trust the TLS/WSS server that presents this certificate (PEM or DER; a self-signed lab certificate), besides the system's roots. Its name must still match the server's host.", HelpName = "FILE" };
        TlsCa = new Option<FileInfo>("--tls-ca") { Description = "Trust only the certificate authorities in this PEM file (a lab's own CA; intermediates the server sends are used) instead of the system's roots. The server's name must still match.", HelpName = "FILE.pem" };
        TlsInsecure = new Option<bool>("--tls-insecure") { Description = "Do not check the TLS/WSS server's certificate at all. Anyone on the path can then pose as the server: loopback labs only." };
        Local = new Option<string>("--local") { Description = "Local address to send from: HOST or HOST:PORT (an IP address). The UDP socket binds it, port included; TCP and WebSocket connections bind the address with a port each (sip-actors.transport.local-address).", HelpName = "HOST[:PORT]" };

        Transport.Validators.Add(r =>
        {
            if (TryValue<string>(r, out var value) && value is not ("udp" or "tcp" or "ws"))
            {
                r.AddError($"--transport '{value}' is not one of udp, tcp, ws");
            }
        });
        Server.Validators.Add(r =>
        {
            if (TryValue<string>(r, out var value) && !SipServerTarget.TryParse(value, out _, out var error))
            {
                // An address with '@' may carry a password: named, not quoted.
                r.AddError(value?.Contains('@', StringComparison.Ordinal) == true ? $"--server {error}" : $"--server '{value}' {error}");
            }
        });
        Domain.Validators.Add(r =>
        {
            if (TryValue<string>(r, out var value) && (string.IsNullOrWhiteSpace(value) || value.AsSpan().IndexOfAny(" \t\r\n;@<>/") >= 0))
            {
                r.AddError($"--domain '{value}' is not a host name or address");
            }
        });
        Local.Validators.Add(r =>
        {
            if (TryValue<string>(r, out var text) && text is not null && !SipActorsSettings.TryParseLocalAddress(text, out _))
            {
                r.AddError($"--local '{text}' is not an IP address with an optional port (127.0.0.2, 127.0.0.2:5070, [::1]:5070)");
            }
        });
        Accounts.Validators.Add(r => Range<int?>(r, "--accounts", 1, 10_000_000));
        First.Validators.Add(r => Range<int>(r, "--first", 0, int.MaxValue - 10_000_000));
        Expires.Validators.Add(r => Range<int?>(r, "--expires", 1, 86400));
        ConnectTimeout.Validators.Add(r => Seconds(r, "--connect-timeout", 0.1, 3600));
        TlsCert.Validators.Add(r => ExistingFile(r, "--tls-cert"));
        TlsCa.Validators.Add(r => ExistingFile(r, "--tls-ca"));
    }

    public Option<string> Server { get; }
    public Option<string> Domain { get; }
    public Option<string> Transport { get; }
    public Option<int?> Accounts { get; }
    public Option<int> First { get; }
    public Option<string> UserFormat { get; }
    public Option<string?> AuthUserFormat { get; }
    public Option<string> PasswordFormat { get; }
    public Option<FileInfo> AccountsFile { get; }
    public Option<string> DisplayName { get; }
    public Option<int?> Expires { get; }
    public Option<FileInfo> Config { get; }
    public Option<double?> ConnectTimeout { get; }
    public Option<FileInfo> TlsCert { get; }
    public Option<FileInfo> TlsCa { get; }
    public Option<bool> TlsInsecure { get; }
    public Option<string> Local { get; }

    /// <summary>Every option, in the order help lists them.</summary>
    public IEnumerable<Option> All =>
    [
        Server, Domain, Transport, Accounts, First, UserFormat, AuthUserFormat, PasswordFormat, AccountsFile, DisplayName, Expires,
        Config, ConnectTimeout, TlsCert, TlsCa, TlsInsecure, Local,
    ];

    /// <param name="serverDescription">What --server is to this command (and what runs without it).</param>
    /// <param name="accountsDescription">What --accounts counts on this command.</param>
    public static AccountCommandOptions Create(string serverDescription, string accountsDescription) => new(serverDescription, accountsDescription);

    public void AddTo(Command command)
    {
        foreach (var option in All)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The checks across options; <paramref name="purpose"/> ends "say which accounts to …".</summary>
    public void Validate(CommandResult r, string purpose)
    {
        var hasCount = r.GetResult(Accounts) is { Implicit: false };
        var hasFile = r.GetResult(AccountsFile) is { Implicit: false };
        if (hasCount == hasFile)
        {
            r.AddError(hasCount
                ? "--accounts and --accounts-file exclude each other: give the count or the file"
                : $"say which accounts to {purpose}: --accounts N (generated names) or --accounts-file FILE");
        }
        if (r.GetResult(TlsCert) is { Implicit: false } && r.GetResult(TlsInsecure) is { Implicit: false })
        {
            r.AddError("--tls-cert and --tls-insecure exclude each other: trust one certificate, or check none");
        }
        if (r.GetResult(TlsCa) is { Implicit: false } && r.GetResult(TlsInsecure) is { Implicit: false })
        {
            r.AddError("--tls-ca and --tls-insecure exclude each other: trust these authorities, or check none");
        }
    }

    /// <summary>The accounts: the file's, or <c>--accounts</c> generated from the formats.</summary>
    public IReadOnlyList<LoadAccount> ReadAccounts(ParseResult result) => result.GetValue(AccountsFile) is { } file
        ? LoadAccounts.ReadFile(file.FullName)
        : LoadAccounts.Generate(result.GetValue(Accounts)!.Value, result.GetValue(First), result.GetValue(UserFormat)!, result.GetValue(PasswordFormat)!, result.GetValue(AuthUserFormat));

    /// <summary>The <c>--config</c> file, read and checked; null without one.</summary>
    public RunConfiguration? ReadConfig(ParseResult result) =>
        result.GetValue(Config) is { } file ? RunConfiguration.Load(file.FullName, "--config", accounts: false) : null;

    /// <summary><paramref name="options"/> with everything these options say, <paramref name="run"/>'s settings under them.</summary>
    public T Apply<T>(ParseResult result, RunConfiguration? run, T options)
        where T : AccountRunOptions => (T)(options with
    {
        Settings = run?.Settings,
        Config = run?.Config,
        Server = result.GetValue(Server),
        Domain = result.GetValue(Domain),
        EmbeddedTransport = result.GetValue(Transport)!,
        DisplayName = result.GetValue(DisplayName) ?? "",
        Expires = result.GetValue(Expires),
        ConnectTimeout = result.GetValue(ConnectTimeout) is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
        TlsCertificatePath = result.GetValue(TlsCert)?.FullName,
        TlsCaPath = result.GetValue(TlsCa)?.FullName,
        TlsInsecure = result.GetValue(TlsInsecure),
        LocalEndPoint = result.GetValue(Local) is { } local && SipActorsSettings.TryParseLocalAddress(local, out var endPoint) ? endPoint : null,
    });
}
