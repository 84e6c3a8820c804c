using System.Diagnostics;
using System.Diagnostics.Metrics;
using SipActors.Diagnostics;
using SipActors.Sip.Diagnostics;
using SipActors.Sip.Transports;
using SipActors.Sip.UserAgents;

namespace SipActors.Cluster.Sharding;

/// <summary>
/// What a node reports beyond its accounts' states (<see cref="NodeReport"/>): the process's CPU
/// and memory, its stack's retransmissions and timed-out client transactions, and the refreshes
/// the <c>SipActors</c> meter counts (refreshes publish no event), and the REGISTERs by kind and
/// their responses by status (<see cref="SipTrafficCounts"/>, process-wide like the meter). Read by the node's
/// <see cref="AccountNode"/> only when asked; the counters are updated by the stack's and the
/// meter's own threads.
/// </summary>
internal sealed class NodeUsage : IDisposable
{
    private readonly SipStack? _stack;
    private readonly MeterListener _listener = new();
    private readonly Process _process = Process.GetCurrentProcess();
    private readonly SipTrafficCounts _traffic = new();
    private long _timeouts;
    private long _refreshes;
    private long _refreshFailures;

    public NodeUsage(SipStack? stack)
    {
        _stack = stack;
        if (stack is not null)
        {
            stack.Transactions.ClientTransactionTimedOut += OnTimedOut;
        }
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SipActorsMetrics.MeterName && instrument.Name is SipActorsMetrics.Refreshes or SipActorsMetrics.RefreshFailures)
            {
                listener.EnableMeasurementEvents(instrument, this);
            }
        };
        _listener.SetMeasurementEventCallback<long>(static (instrument, value, _, state) =>
        {
            var self = (NodeUsage)state!;
            if (instrument.Name == SipActorsMetrics.Refreshes)
            {
                Interlocked.Add(ref self._refreshes, value);
            }
            else
            {
                Interlocked.Add(ref self._refreshFailures, value);
            }
        });
        _listener.Start();
    }

    public NodeReport Report(string node, int accounts, IReadOnlyDictionary<Connections.ConnectionStatus, int> byStatus)
    {
        _process.Refresh();
        return new NodeReport(node, accounts, byStatus,
            Math.Round(_process.TotalProcessorTime.TotalSeconds, 3),
            _process.WorkingSet64,
            // The kernel's high-water mark (VmHWM on Linux) catches peaks between two reports.
            Math.Max(_process.PeakWorkingSet64, _process.WorkingSet64),
            _stack?.Transactions.Retransmissions ?? 0,
            Interlocked.Read(ref _timeouts),
            Interlocked.Read(ref _refreshes),
            Interlocked.Read(ref _refreshFailures))
        {
            RegistersSent = _traffic.RegistersSentByKind(),
            RegisterResponses = _traffic.ResponsesTo("REGISTER"),
            TransactionsOpen = _stack?.Transactions.Count ?? 0,
        };
    }

    private void OnTimedOut(SipChannel channel) => Interlocked.Increment(ref _timeouts);

    public void Dispose()
    {
        if (_stack is not null)
        {
            _stack.Transactions.ClientTransactionTimedOut -= OnTimedOut;
        }
        _listener.Dispose();
        _traffic.Dispose();
        _process.Dispose();
    }
}
