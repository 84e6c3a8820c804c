using System.Diagnostics.Metrics;
using Akka.Actor;
using SipActors.Events;

namespace SipActors.Hosting.Diagnostics;

/// <summary>
/// Derives the transport-connection count from the <c>connection:*</c> events, so the actor layer
/// needs no hosting code. (The registration-latency histogram is recorded by the accounts
/// themselves: refreshes publish no event.)
/// </summary>
internal sealed class ConnectionMetricsActor : ReceiveActor
{
    private readonly Dictionary<AccountId, string> _up = [];
    private readonly UpDownCounter<int> _connections;

    public ConnectionMetricsActor(SipActorsInstruments instruments)
    {
        _connections = instruments.TransportConnections;
        Receive<Connected>(OnConnected);
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
        if (_up.TryAdd(e.Account, transport))
        {
            _connections.Add(1, Tag(transport));
        }
    }

    private void OnDisconnected(Disconnected e)
    {
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
