namespace SipActors.Connections;

/// <summary>Settings of a <see cref="ConnectionSupervisor"/>.</summary>
public sealed record ConnectionSupervisorSettings
{
    public static ConnectionSupervisorSettings Default { get; } = new();

    /// <summary>Transport attempts per second across all accounts (first connects and recoveries), 2,000 by default (CONTRACT.md §5.8).</summary>
    public double ConnectRateLimit { get; init; } = 2000;

    /// <summary>
    /// Transport attempts in flight at once (from permit to registered or failed), 200 by default. A
    /// rate alone lets attempts pile up when the server or this process answers slower than the
    /// rate: replies then arrive after T1, every late reply costs a retransmission, and the load
    /// feeds on itself. Bounding what is in flight keeps the exchange at the speed both ends manage.
    /// </summary>
    public int MaxConcurrentConnects { get; init; } = 200;

    public ConnectionActorSettings Account { get; init; } = ConnectionActorSettings.Default;
}
