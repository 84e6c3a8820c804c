using System.Diagnostics.Metrics;
using SipActors.Diagnostics;

namespace SipActors.Cli.Load;

/// <summary>
/// Counts registration refreshes and refresh failures from the <c>SipActors</c> meter while it is
/// alive: refreshes publish no event (CONTRACT.md §2), the meter is where they show. The meter is
/// process-wide, so two runs in one process would count each other's refreshes.
/// </summary>
internal sealed class RefreshCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _refreshes;
    private long _failures;

    public RefreshCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SipActorsMetrics.MeterName
                && instrument.Name is SipActorsMetrics.Refreshes or SipActorsMetrics.RefreshFailures)
            {
                listener.EnableMeasurementEvents(instrument, this);
            }
        };
        _listener.SetMeasurementEventCallback<long>(static (instrument, value, _, state) =>
        {
            var self = (RefreshCounter)state!;
            if (instrument.Name == SipActorsMetrics.Refreshes)
            {
                Interlocked.Add(ref self._refreshes, value);
            }
            else
            {
                Interlocked.Add(ref self._failures, value);
            }
        });
        _listener.Start();
    }

    public long Refreshes => Interlocked.Read(ref _refreshes);

    public long Failures => Interlocked.Read(ref _failures);

    public void Dispose() => _listener.Dispose();
}
