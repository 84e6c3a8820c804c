using System.Diagnostics.Metrics;
using SipActors.Connections;
using SipActors.Diagnostics;
using SipActors.Sip.UserAgents;

namespace SipActors.Hosting.Diagnostics;

/// <summary>
/// The hosting instruments of one actor system. The observable ones read a snapshot and the
/// stack's counters, so an observation never asks an actor anything.
/// </summary>
internal sealed class SipActorsInstruments : IDisposable
{
    private static readonly ConnectionStatus[] States = Enum.GetValues<ConnectionStatus>();
    private static readonly string[] StateNames = [.. States.Select(s => s.ToString().ToLowerInvariant())];

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly SipStack _stack;
    private volatile SupervisorStatus? _status;
    private volatile bool _stopped;

    public SipActorsInstruments(IMeterFactory? factory, SipStack stack)
    {
        _stack = stack;
        // A meter from the host's factory is shared and disposed with the container; one of our own is ours to dispose.
        _ownsMeter = factory is null;
        _meter = factory?.Create(new MeterOptions(SipActorsMetrics.MeterName)) ?? new Meter(SipActorsMetrics.MeterName);
        _meter.CreateObservableGauge(SipActorsHostingMetrics.Accounts, ObserveAccounts, "{account}", "Accounts per connection state");
        _meter.CreateObservableGauge(SipActorsHostingMetrics.TransactionsInFlight, ObserveTransactions, "{transaction}", "SIP transactions in flight");
        TransportConnections = _meter.CreateUpDownCounter<int>(SipActorsHostingMetrics.TransportConnections, "{connection}", "Accounts whose transport flow is up");
    }

    public UpDownCounter<int> TransportConnections { get; }

    /// <summary>The supervisor's latest counts (set by the status poller).</summary>
    public SupervisorStatus? Status
    {
        get => _status;
        set => _status = value;
    }

    private IEnumerable<Measurement<int>> ObserveAccounts()
    {
        if (_stopped || _status is not { } status)
        {
            yield break;
        }
        for (var i = 0; i < States.Length; i++)
        {
            yield return new Measurement<int>(status.Count(States[i]), new KeyValuePair<string, object?>("state", StateNames[i]));
        }
    }

    private IEnumerable<Measurement<int>> ObserveTransactions()
    {
        if (!_stopped)
        {
            yield return new Measurement<int>(_stack.Transactions.Count);
        }
    }

    /// <summary>Stops the observable instruments once the stack is gone.</summary>
    public void Dispose()
    {
        _stopped = true;
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
