using System.Diagnostics.Metrics;
using Akka.Actor;
using SipActors.Events;

namespace SipActors.Hosting.Diagnostics;

/// <summary>
/// Derives the registration-latency histogram and the transport-connection count from the
/// <c>connection:*</c> events, so the actor layer needs no hosting code. Transport up
/// (<see cref="Connected"/>) to <see cref="Registered"/> covers the REGISTER, its challenge and
/// the authenticated REGISTER: the latency a registrar is judged by.
/// </summary>
internal sealed class ConnectionMetricsActor : ReceiveActor
{
    private readonly Dictionary<AccountId, (DateTimeOffset At, string Transport)> _connectedAt = [];
    private readonly Dictionary<AccountId, string> _up = [];
    private readonly Histogram<double> _registrationDuration;
    private readonly UpDownCounter<int> _connections;

    public ConnectionMetricsActor(SipActorsInstruments instruments)
    {
        _registrationDuration = instruments.RegistrationDuration;
        _connections = instruments.TransportConnections;
        Receive<Connected>(OnConnected);
        Receive<Registered>(OnRegistered);
        Receive<RegistrationFailed>(e => _connectedAt.Remove(e.Account));
        Receive<Disconnected>(OnDisconnected);
        Receive<ConnectionEvent>(_ => { });
    }

    public static Props Props(SipActorsInstruments instruments) => Akka.Actor.Props.Create(() => new ConnectionMetricsActor(instruments));

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(ConnectionEvent));

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        // The flows are gone with the system: leave the counter at zero rather than at its last value.
        foreach (var transport in _up.Values)
        {
            _connections.Add(-1, Tag(transport));
        }
        _up.Clear();
    }

    private void OnConnected(Connected e)
    {
        var transport = TransportOf(e.TransportUri);
        _connectedAt[e.Account] = (e.Time, transport);
        if (_up.TryAdd(e.Account, transport))
        {
            _connections.Add(1, Tag(transport));
        }
    }

    private void OnRegistered(Registered e)
    {
        if (_connectedAt.Remove(e.Account, out var connected))
        {
            _registrationDuration.Record(Math.Max(0, (e.Time - connected.At).TotalSeconds), Tag(connected.Transport));
        }
    }

    private void OnDisconnected(Disconnected e)
    {
        _connectedAt.Remove(e.Account);
        if (_up.Remove(e.Account, out var transport))
        {
            _connections.Add(-1, Tag(transport));
        }
    }

    private static KeyValuePair<string, object?> Tag(string transport) => new("transport", transport);

    /// <summary>The scheme of the transport URI (<c>udp://host:port</c>, <c>wss://host/path</c>).</summary>
    private static string TransportOf(string transportUri)
    {
        var end = transportUri.IndexOf("://", StringComparison.Ordinal);
        return end > 0 ? transportUri[..end].ToLowerInvariant() : "unknown";
    }
}
