namespace SipActors.Connections;

/// <summary>Settings of a <see cref="ConnectionSupervisor"/>.</summary>
public sealed record ConnectionSupervisorSettings
{
    public static ConnectionSupervisorSettings Default { get; } = new();

    /// <summary>Transport attempts per second across all accounts (first connects and recoveries), 2,000 by default (CONTRACT.md §5.8).</summary>
    public double ConnectRateLimit { get; init; } = 2000;

    public ConnectionActorSettings Account { get; init; } = ConnectionActorSettings.Default;
}
