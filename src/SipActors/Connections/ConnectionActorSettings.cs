namespace SipActors.Connections;

/// <summary>Bounds and defaults of every ConnectionActor (config.hocon's sip-actors section).</summary>
public sealed record ConnectionActorSettings
{
    public static ConnectionActorSettings Default { get; } = new();

    /// <summary>A transport that is not up within this time fails the connect (CONTRACT.md §5.2).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A parameter provider that has not answered within this time fails the connect.</summary>
    public TimeSpan ProviderTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long SendOptions and Ping wait for an answer (CONTRACT.md §4), 10 s by default.</summary>
    public TimeSpan OptionsTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How failed refreshes and re-registrations back off (CONTRACT.md §5.6).</summary>
    public RegistrationBackoff RegistrationRetry { get; init; } = RegistrationBackoff.Default;

    /// <summary>User-Agent when the parameters name none.</summary>
    public string DefaultUserAgent { get; init; } = "SipActors/" + (typeof(ConnectionActorSettings).Assembly.GetName().Version?.ToString(3) ?? "0");
}
