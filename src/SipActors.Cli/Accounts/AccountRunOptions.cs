using SipActors.Cli.Load;
using SipActors.Configuration;
using SipActors.Connections;

namespace SipActors.Cli.Accounts;

/// <summary>
/// What a run of registered accounts (<c>load</c>, <c>calls</c>) takes from the command line about
/// the accounts and how they connect, validated; each command's options add their own.
/// </summary>
internal abstract record AccountRunOptions
{
    /// <summary>The SipServerUrl; null starts an embedded registrar on loopback and targets it.</summary>
    public string? Server { get; init; }

    /// <summary>The SipServerIp of every account; null means the server's host.</summary>
    public string? Domain { get; init; }

    /// <summary>Transport to the embedded registrar (udp, tcp, ws); ignored with <see cref="Server"/>.</summary>
    public string EmbeddedTransport { get; init; } = "udp";

    /// <summary>The sip-actors settings (<c>--config</c> over the defaults); null takes the defaults.</summary>
    public SipActorsSettings? Settings { get; init; }

    /// <summary>The <c>--config</c> file's HOCON (akka settings too); null when none was given.</summary>
    public Akka.Configuration.Config? Config { get; init; }

    /// <summary>The accounts, each an id plus its credentials.</summary>
    public required IReadOnlyList<LoadAccount> Accounts { get; init; }

    /// <summary>Display name of every account without one of its own.</summary>
    public string DisplayName { get; init; } = "";

    /// <summary>Requested registration lifetime, seconds; null takes sip-actors.register-expires.</summary>
    public int? Expires { get; init; }

    /// <summary>How long one connect may take (<c>--connect-timeout</c>); null keeps sip-actors.connect-timeout.</summary>
    public TimeSpan? ConnectTimeout { get; init; }

    /// <summary>A certificate the server is trusted with (<c>--tls-cert</c>), pinned.</summary>
    public string? TlsCertificatePath { get; init; }

    /// <summary>Certificate authorities (PEM) that replace the system's roots (<c>--tls-ca</c>).</summary>
    public string? TlsCaPath { get; init; }

    /// <summary>No certificate check at all (<c>--tls-insecure</c>).</summary>
    public bool TlsInsecure { get; init; }

    /// <summary>The local address to send from (<c>--local</c>); null keeps sip-actors.transport.local-address.</summary>
    public System.Net.IPEndPoint? LocalEndPoint { get; init; }

    /// <summary>The run's settings: the file's (or the defaults) with what the command line says over them.</summary>
    public SipActorsSettings RuntimeSettings(SipActorsSettings settings, int concurrency, double connectRate) => settings with
    {
        Supervisor = settings.Supervisor with
        {
            MaxConcurrentConnects = concurrency,
            ConnectRateLimit = connectRate,
            Account = settings.Supervisor.Account with { ConnectTimeout = ConnectTimeout ?? settings.Supervisor.Account.ConnectTimeout },
        },
        Tls = LoadRunner.Tls(TlsInsecure, TlsCertificatePath, TlsCaPath),
        LocalEndPoint = LocalEndPoint ?? settings.LocalEndPoint,
    };

    /// <summary>
    /// The connect of one account; <paramref name="complete"/> adds what the command sets besides
    /// (extra headers, the incoming-call policy). Invalid parameters are a usage error naming the account.
    /// </summary>
    public Connect BuildConnect(LoadAccount account, SipActorsSettings settings, string server, string domain, Func<ConnectionParameters, ConnectionParameters> complete)
    {
        var parameters = complete(new ConnectionParameters
        {
            SipServerIp = domain,
            SipServerUrl = server,
            DisplayName = account.DisplayName ?? DisplayName,
            Register = true,
            User = account.User,
            AuthUser = account.AuthUser,
            Password = account.Password,
            RegisterExpires = Expires ?? settings.RegisterExpires,
            ConnectionRecoveryMinInterval = settings.ConnectionRecoveryMinInterval.TotalSeconds,
            ConnectionRecoveryMaxInterval = settings.ConnectionRecoveryMaxInterval.TotalSeconds,
        });
        var errors = parameters.Validate();
        if (errors.Count > 0)
        {
            throw new CliUsageException($"account '{account.User}': {string.Join("; ", errors)}");
        }
        return new Connect(account.User, parameters);
    }
}
