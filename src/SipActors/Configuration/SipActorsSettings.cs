using Akka.Configuration;
using SipActors.Calls;
using SipActors.Connections;
using SipActors.Sip.Transactions;
using SipActors.Sip.UserAgents;

namespace SipActors.Configuration;

/// <summary>
/// The <c>sip-actors</c> HOCON section as typed settings: the defaults of the repo's config.hocon
/// (embedded in this assembly), with whatever the user's config sets on top. A bad value throws
/// <see cref="SipActorsConfigurationException"/> naming the key.
/// </summary>
public sealed record SipActorsSettings
{
    public required int RegisterExpires { get; init; }
    public required TimeSpan ConnectionRecoveryMinInterval { get; init; }
    public required TimeSpan ConnectionRecoveryMaxInterval { get; init; }
    public required ConnectionSupervisorSettings Supervisor { get; init; }
    public required SipTimerSettings Timers { get; init; }
    public required int UdpReceiveBufferSize { get; init; }
    public required int UdpReceiveThreads { get; init; }

    /// <summary>How a silent UDP server is noticed (<c>transport.udp.server-check-*</c>).</summary>
    public required UdpServerCheckOptions UdpServerCheck { get; init; }

    /// <summary>Keep-alives on TCP/TLS/WS/WSS flows (<c>transport.keep-alive-interval</c>, <c>transport.keep-alive-timeout</c>).</summary>
    public required KeepAliveOptions KeepAlive { get; init; }

    /// <summary>The local address (and for UDP the port) the stack's sockets bind (<c>transport.local-address</c>); null lets the system choose.</summary>
    public System.Net.IPEndPoint? LocalEndPoint { get; init; }

    /// <summary>How TLS and WSS connections check the server; not a HOCON setting (a certificate is an object, not text).</summary>
    public Sip.Transports.TlsOptions Tls { get; init; } = Sip.Transports.TlsOptions.Default;

    /// <summary>Accounts declared in <c>sip-actors.accounts</c>, as Connect commands.</summary>
    public required IReadOnlyList<Connect> Accounts { get; init; }

    /// <summary>The defaults shipped with SipActors (config.hocon).</summary>
    public static Config DefaultConfig { get; } = LoadEmbedded();

    /// <summary>Reads <paramref name="config"/> (merged over the defaults).</summary>
    public static SipActorsSettings Create(Config? config = null)
    {
        var merged = config is null ? DefaultConfig : config.WithFallback(DefaultConfig);
        var section = merged.GetConfig("sip-actors") ?? throw new SipActorsConfigurationException("sip-actors", "the section is missing");
        var min = Duration(section, "connection-recovery-min-interval");
        var max = Duration(section, "connection-recovery-max-interval");
        if (max < min)
        {
            throw new SipActorsConfigurationException("sip-actors.connection-recovery-max-interval", $"{max} is below the min interval {min}");
        }
        var timers = new SipTimerSettings
        {
            T1 = Duration(section, "timers.t1"),
            T2 = Duration(section, "timers.t2"),
            T4 = Duration(section, "timers.t4"),
        };
        var retryBase = Duration(section, "registration-retry.base-delay");
        var retryMax = Duration(section, "registration-retry.max-delay");
        if (retryMax < retryBase)
        {
            throw new SipActorsConfigurationException("sip-actors.registration-retry.max-delay", $"{retryMax} is below the base delay {retryBase}");
        }
        var account = new ConnectionActorSettings
        {
            ConnectTimeout = Duration(section, "connect-timeout"),
            OptionsTimeout = Duration(section, "options-timeout"),
            RegistrationRetry = new RegistrationBackoff { BaseDelay = retryBase, MaxDelay = retryMax },
        };
        var settings = new SipActorsSettings
        {
            RegisterExpires = Int(section, "register-expires", 1, 86400),
            ConnectionRecoveryMinInterval = min,
            ConnectionRecoveryMaxInterval = max,
            Supervisor = new ConnectionSupervisorSettings
            {
                ConnectRateLimit = Int(section, "connect-rate-limit", 1, 1_000_000),
                MaxConcurrentConnects = Int(section, "max-concurrent-connects", 1, 1_000_000),
                Account = account,
            },
            Timers = timers,
            UdpReceiveBufferSize = Int(section, "transport.udp.receive-buffer-size", 65536, int.MaxValue),
            UdpReceiveThreads = Int(section, "transport.udp.receive-threads", 1, 16),
            UdpServerCheck = new UdpServerCheckOptions
            {
                Interval = Duration(section, "transport.udp.server-check-interval", allowZero: true),
                Timeout = Duration(section, "transport.udp.server-check-timeout"),
                FailuresToLose = Int(section, "transport.udp.server-check-failures", 1, 100),
            },
            LocalEndPoint = LocalAddress(section, "transport.local-address"),
            KeepAlive = new KeepAliveOptions
            {
                Interval = Duration(section, "transport.keep-alive-interval", allowZero: true),
                PongTimeout = Duration(section, "transport.keep-alive-timeout"),
            },
            Accounts = [],
        };
        return settings with { Accounts = ReadAccounts(section, settings) };
    }

    private static System.Net.IPEndPoint? LocalAddress(Config section, string key)
    {
        var text = section.GetString(key, "")?.Trim() ?? "";
        if (text.Length == 0)
        {
            return null;
        }
        return TryParseLocalAddress(text, out var endPoint)
            ? endPoint
            : throw new SipActorsConfigurationException("sip-actors." + key, $"'{text}' is not an IP address with an optional port (192.0.2.10, 192.0.2.10:5070, [2001:db8::1]:5070)");
    }

    /// <summary>An IP address with an optional port (0 when none is given); host names are refused: a socket binds an address.</summary>
    public static bool TryParseLocalAddress(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out System.Net.IPEndPoint? endPoint)
    {
        endPoint = null;
        if (!System.Net.IPEndPoint.TryParse(text.Trim(), out var parsed))
        {
            return false;
        }
        endPoint = parsed;
        return true;
    }

    private static List<Connect> ReadAccounts(Config section, SipActorsSettings settings)
    {
        var accounts = new List<Connect>();
        var list = section.GetValue("accounts")?.GetArray() ?? [];
        for (var i = 0; i < list.Count; i++)
        {
            var path = $"sip-actors.accounts[{i}]";
            var item = new Config(new Akka.Configuration.Hocon.HoconRoot(list[i]));
            string Required(string key) => item.GetString(key) is { Length: > 0 } v ? v : throw new SipActorsConfigurationException($"{path}.{key}", "is required");
            var parameters = new ConnectionParameters
            {
                SipServerIp = Required("sip-server-ip"),
                SipServerUrl = Required("sip-server-url"),
                DisplayName = item.GetString("display-name", ""),
                Register = item.GetBoolean("register", false),
                User = item.GetString("user", null),
                Password = item.GetString("password", null),
                AuthUser = item.GetString("auth-user", null),
                RemoteAddress = item.GetString("remote-address", null),
                UserAgent = item.GetString("user-agent", null),
                SessionTimers = item.GetBoolean("session-timers", false),
                RetryConnect = item.GetBoolean("retry-connect", false),
                IncomingCalls = Policy(item, path),
                AnswerSdp = item.GetString("answer-sdp", null),
                NoAnswerTimeout = item.HasPath("no-answer-timeout") ? item.GetInt("no-answer-timeout") : 60,
                RegisterExpires = item.HasPath("register-expires") ? item.GetInt("register-expires") : settings.RegisterExpires,
                ConnectionRecoveryMinInterval = settings.ConnectionRecoveryMinInterval.TotalSeconds,
                ConnectionRecoveryMaxInterval = settings.ConnectionRecoveryMaxInterval.TotalSeconds,
                ExtraHeaders = [.. item.GetStringList("extra-headers", [])],
            };
            var errors = parameters.Validate();
            if (errors.Count > 0)
            {
                throw new SipActorsConfigurationException(path, string.Join("; ", errors));
            }
            accounts.Add(new Connect(Required("id"), parameters));
        }
        return accounts;
    }

    private static IncomingCallPolicy Policy(Config item, string path)
    {
        var text = item.GetString("incoming-calls", null);
        if (text is null)
        {
            return IncomingCallPolicy.Ring;
        }
        return IncomingCallPolicyNames.TryParse(text, out var policy)
            ? policy
            : throw new SipActorsConfigurationException($"{path}.incoming-calls", $"'{text}' is not one of {IncomingCallPolicyNames.Expected}");
    }

    private static TimeSpan Duration(Config section, string key, bool allowZero = false)
    {
        try
        {
            var value = section.GetTimeSpan(key, null, allowInfinite: false);
            return value > TimeSpan.Zero || (allowZero && value == TimeSpan.Zero)
                ? value
                : throw new SipActorsConfigurationException("sip-actors." + key, allowZero ? "must be zero or a positive duration" : "must be a positive duration");
        }
        catch (Exception e) when (e is not SipActorsConfigurationException)
        {
            throw new SipActorsConfigurationException("sip-actors." + key, $"is not a duration ({e.Message})");
        }
    }

    private static int Int(Config section, string key, int min, int max)
    {
        int value;
        try
        {
            value = section.GetInt(key);
        }
        catch (Exception e)
        {
            throw new SipActorsConfigurationException("sip-actors." + key, $"is not an integer ({e.Message})");
        }
        return value >= min && value <= max ? value : throw new SipActorsConfigurationException("sip-actors." + key, $"{value} is outside {min}..{max}");
    }

    private static Config LoadEmbedded()
    {
        using var stream = typeof(SipActorsSettings).Assembly.GetManifestResourceStream("SipActors.config.hocon")
            ?? throw new InvalidOperationException("config.hocon is not embedded in SipActors");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
