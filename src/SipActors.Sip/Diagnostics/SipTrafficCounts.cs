using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;

namespace SipActors.Sip.Diagnostics;

/// <summary>
/// Counts, while alive, what the stack's instruments measure: REGISTERs sent by kind and
/// responses received by method and status code (<see cref="SipStackMetrics"/>). The meter is
/// process-wide, so two stacks in one process are counted together. Thread-safe; reads are
/// cumulative since creation.
/// </summary>
public sealed class SipTrafficCounts : IDisposable
{
    private static readonly string[] KindNames = Enum.GetValues<RegisterKind>().Select(SipStackMetrics.KindName).ToArray();

    private readonly MeterListener _listener = new();
    private readonly long[] _registers = new long[KindNames.Length];
    private readonly ConcurrentDictionary<string, long[]> _responses = new(StringComparer.Ordinal);

    public SipTrafficCounts()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SipStackMetrics.MeterName && instrument.Name is SipStackMetrics.Responses or SipStackMetrics.RegisterRequests)
            {
                listener.EnableMeasurementEvents(instrument, this);
            }
        };
        _listener.SetMeasurementEventCallback<long>(static (instrument, value, tags, state) =>
        {
            var self = (SipTrafficCounts)state!;
            if (instrument.Name == SipStackMetrics.Responses)
            {
                self.OnResponse(tags, value);
            }
            else
            {
                self.OnRegister(tags, value);
            }
        });
        _listener.Start();
    }

    /// <summary>REGISTERs sent so far of <paramref name="kind"/>.</summary>
    public long RegistersSent(RegisterKind kind) => Interlocked.Read(ref _registers[(int)kind]);

    /// <summary>Kind (initial, challenged, refresh, unregister, retry) → REGISTERs sent so far.</summary>
    public IReadOnlyDictionary<string, long> RegistersSentByKind()
        => Enum.GetValues<RegisterKind>().ToDictionary(SipStackMetrics.KindName, RegistersSent, StringComparer.Ordinal);

    /// <summary>Responses received so far to <paramref name="method"/> requests with <paramref name="statusCode"/>.</summary>
    public long ResponsesReceived(string method, int statusCode)
        => _responses.TryGetValue(method, out var counts) && (uint)statusCode < (uint)counts.Length ? Interlocked.Read(ref counts[statusCode]) : 0;

    /// <summary>Status code → responses so far to <paramref name="method"/> requests, codes with none left out.</summary>
    public IReadOnlyDictionary<int, long> ResponsesTo(string method)
    {
        var byStatus = new Dictionary<int, long>();
        if (_responses.TryGetValue(method, out var counts))
        {
            for (var code = 0; code < counts.Length; code++)
            {
                if (Interlocked.Read(ref counts[code]) is > 0 and var n)
                {
                    byStatus[code] = n;
                }
            }
        }
        return byStatus;
    }

    /// <summary>Method → status code → responses so far, codes with none left out, in order.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> ResponsesByStatus()
        => _responses.OrderBy(m => m.Key, StringComparer.Ordinal).ToDictionary(
            m => m.Key,
            m => (IReadOnlyDictionary<string, long>)Enumerable.Range(0, m.Value.Length)
                .Select(code => (code, count: Interlocked.Read(ref m.Value[code])))
                .Where(c => c.count > 0)
                .ToDictionary(c => c.code.ToString(CultureInfo.InvariantCulture), c => c.count),
            StringComparer.Ordinal);

    private void OnResponse(ReadOnlySpan<KeyValuePair<string, object?>> tags, long value)
    {
        string? method = null;
        var status = -1;
        foreach (var tag in tags)
        {
            if (tag.Key == SipStackMetrics.MethodTag)
            {
                method = tag.Value as string;
            }
            else if (tag.Key == SipStackMetrics.StatusCodeTag && tag.Value is int code)
            {
                status = code;
            }
        }
        if (method is not null && (uint)status < 700)
        {
            var counts = _responses.GetOrAdd(method, static _ => new long[700]);
            Interlocked.Add(ref counts[status], value);
        }
    }

    private void OnRegister(ReadOnlySpan<KeyValuePair<string, object?>> tags, long value)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == SipStackMetrics.RegisterKindTag && tag.Value is string name)
            {
                var kind = Array.IndexOf(KindNames, name);
                if (kind >= 0)
                {
                    Interlocked.Add(ref _registers[kind], value);
                }
            }
        }
    }

    public void Dispose() => _listener.Dispose();
}
