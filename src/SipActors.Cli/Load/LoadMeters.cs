using System.Diagnostics.Metrics;
using HdrHistogram;
using SipActors.Diagnostics;
using SipActors.Sip.Diagnostics;

namespace SipActors.Cli.Load;

/// <summary>
/// What a load run reads from the <c>SipActors</c> meter while it is alive: refreshes and refresh
/// failures (refreshes publish no event, CONTRACT.md §2) and every REGISTER exchange that ended in
/// a 2xx, initial or refresh, with its duration into an HDR histogram that <c>--stats</c> reads
/// per interval; from the SIP stack's instruments, the REGISTERs sent by kind and the responses
/// by method and status code. The meter is process-wide, so two runs in one process would count
/// each other's.
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
    private readonly SipTrafficCounts _traffic = new();

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
        _listener.SetMeasurementEventCallback<long>(static (instrument, value, tags, state) =>
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

    /// <summary>REGISTERs sent by kind and responses by status: the stack's instruments.</summary>
    public SipTrafficCounts Traffic => _traffic;

    /// <summary>REGISTERs sent so far of <paramref name="kind"/>.</summary>
    public long RegistersSent(RegisterKind kind) => _traffic.RegistersSent(kind);

    /// <summary>Responses received so far to <paramref name="method"/> requests with <paramref name="statusCode"/>.</summary>
    public long ResponsesReceived(string method, int statusCode) => _traffic.ResponsesReceived(method, statusCode);

    /// <summary>Method → status code → responses so far, codes with none left out, in order.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> ResponsesByStatus() => _traffic.ResponsesByStatus();

    /// <summary>Kind (initial, challenged, refresh, unregister, retry) → REGISTERs sent so far.</summary>
    public IReadOnlyDictionary<string, long> RegistersSentByKind() => _traffic.RegistersSentByKind();

    /// <summary>The durations recorded since the last call (the recorder swaps its histograms: no lock on the recording side).</summary>
    public HistogramBase TakeInterval() => _durations.GetIntervalHistogram();

    public void Dispose()
    {
        _listener.Dispose();
        _traffic.Dispose();
    }
}
