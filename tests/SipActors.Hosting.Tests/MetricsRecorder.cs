using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using SipActors.Diagnostics;

namespace SipActors.Hosting.Tests;

/// <summary>
/// A MeterListener on the <c>SipActors</c> meter: the host's own (created by its IMeterFactory, so
/// other hosts in the process do not count) and the actor layer's process-wide one.
/// </summary>
internal sealed class MetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Name, double Value, KeyValuePair<string, object?>[] Tags)> _measurements = new();
    private readonly ConcurrentDictionary<string, double> _gauges = new();

    public MetricsRecorder(IMeterFactory factory)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SipActorsMetrics.MeterName && (instrument.Meter.Scope is null || ReferenceEquals(instrument.Meter.Scope, factory)))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    /// <summary>Reads the observable gauges now.</summary>
    public void Observe()
    {
        _gauges.Clear();
        _listener.RecordObservableInstruments();
    }

    /// <summary>The gauge's last observed value for the tag, or null when it reported none.</summary>
    public double? Gauge(string name, (string Key, string Value)? tag = null)
        => _gauges.TryGetValue(Key(name, tag), out var v) ? v : null;

    /// <summary>The sum of a counter's measurements (all tags, or those with the tag).</summary>
    public double Sum(string name, (string Key, string Value)? tag = null) => Matching(name, tag).Sum();

    public int Count(string name) => Matching(name, null).Count();

    public IReadOnlyList<double> Values(string name) => [.. Matching(name, null)];

    public void Dispose() => _listener.Dispose();

    private IEnumerable<double> Matching(string name, (string Key, string Value)? tag)
        => _measurements.Where(m => m.Name == name && (tag is not { } t || m.Tags.Any(x => x.Key == t.Key && Equals(x.Value, t.Value)))).Select(m => m.Value);

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (instrument.IsObservable)
        {
            foreach (var tag in tags)
            {
                _gauges[Key(instrument.Name, (tag.Key, tag.Value?.ToString() ?? ""))] = value;
            }
            if (tags.IsEmpty)
            {
                _gauges[Key(instrument.Name, null)] = value;
            }
            return;
        }
        _measurements.Enqueue((instrument.Name, value, tags.ToArray()));
    }

    private static string Key(string name, (string Key, string Value)? tag) => tag is { } t ? $"{name}|{t.Key}={t.Value}" : name;
}
