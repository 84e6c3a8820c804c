using System.Diagnostics.Metrics;
using HdrHistogram;
using SipActors.Diagnostics;

namespace SipActors.Cli.Load;

/// <summary>
/// What a load run reads from the <c>SipActors</c> meter while it is alive: refreshes and refresh
/// failures (refreshes publish no event, CONTRACT.md §2) and every REGISTER exchange that ended in
/// a 2xx, initial or refresh, with its duration into an HDR histogram that <c>--stats</c> reads
/// per interval. The meter is process-wide, so two runs in one process would count each other's.
/// </summary>
internal sealed class LoadMeters : IDisposable
{
    /// <summary>Durations are kept in microseconds, up to an hour (longer is clamped): three significant digits.</summary>
    private const long HighestMicroseconds = 3_600_000_000;

    private readonly MeterListener _listener = new();
    private readonly Recorder _durations = new(1, HighestMicroseconds, 3, (id, lowest, highest, digits) => new LongHistogram(id, lowest, highest, digits));
    private long _refreshes;
    private long _failures;
    private long _exchanges;

    public LoadMeters()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SipActorsMetrics.MeterName
                && instrument.Name is SipActorsMetrics.Refreshes or SipActorsMetrics.RefreshFailures or SipActorsMetrics.RegistrationDuration)
            {
                listener.EnableMeasurementEvents(instrument, this);
            }
        };
        _listener.SetMeasurementEventCallback<long>(static (instrument, value, _, state) =>
        {
            var self = (LoadMeters)state!;
            if (instrument.Name == SipActorsMetrics.Refreshes)
            {
                Interlocked.Add(ref self._refreshes, value);
            }
            else
            {
                Interlocked.Add(ref self._failures, value);
            }
        });
        _listener.SetMeasurementEventCallback<double>(static (_, seconds, _, state) =>
        {
            var self = (LoadMeters)state!;
            Interlocked.Increment(ref self._exchanges);
            self._durations.RecordValue(Math.Clamp((long)(seconds * 1_000_000), 1, HighestMicroseconds));
        });
        _listener.Start();
    }

    public long Refreshes => Interlocked.Read(ref _refreshes);

    public long RefreshFailures => Interlocked.Read(ref _failures);

    /// <summary>REGISTER exchanges answered with a 2xx (initial and refresh, digest challenge included).</summary>
    public long RegisterExchanges => Interlocked.Read(ref _exchanges);

    /// <summary>The durations recorded since the last call (the recorder swaps its histograms: no lock on the recording side).</summary>
    public HistogramBase TakeInterval() => _durations.GetIntervalHistogram();

    public void Dispose() => _listener.Dispose();
}
