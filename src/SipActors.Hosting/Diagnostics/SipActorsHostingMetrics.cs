namespace SipActors.Hosting.Diagnostics;

/// <summary>
/// Names of the instruments the hosting layer adds to the <c>SipActors</c> meter, next to the
/// counters of <see cref="SipActors.Diagnostics.SipActorsMetrics"/>. The meter is created through
/// the host's <see cref="System.Diagnostics.Metrics.IMeterFactory"/>, so dotnet-counters
/// (<c>--counters SipActors</c>) and OpenTelemetry (<c>AddMeter("SipActors")</c>) see both.
/// </summary>
public static class SipActorsHostingMetrics
{
    /// <summary>Accounts per state (gauge, tag <c>state</c>: disconnected, connecting, connected, registered, disconnecting), refreshed from the supervisor every <see cref="SipActorsOptions.StatusRefreshInterval"/>.</summary>
    public const string Accounts = "sipactors.accounts";

    /// <summary>Seconds from a REGISTER sent to its 2xx, challenge included, initial and refresh: recorded by the accounts themselves (<see cref="SipActors.Diagnostics.SipActorsMetrics.RegistrationDuration"/>).</summary>
    public const string RegistrationDuration = SipActors.Diagnostics.SipActorsMetrics.RegistrationDuration;

    /// <summary>SIP transactions (client and server) not yet completed (gauge).</summary>
    public const string TransactionsInFlight = "sipactors.transactions.in_flight";

    /// <summary>Accounts whose transport flow is up (up-down counter, tag <c>transport</c>: udp, tcp, tls, ws, wss); UDP flows share one socket.</summary>
    public const string TransportConnections = "sipactors.transport.connections";

    /// <summary>Events dropped by <see cref="SipActors.Hosting.Events.ISipEvents"/> subscriptions whose reader fell behind (counter).</summary>
    public const string EventsDropped = "sipactors.events.dropped";
}
