using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;

namespace SipActors.Benchmarks;

/// <summary>
/// Which types a window allocates, from the runtime's allocation ticks (one sample about every
/// 100 KB, carrying the type of the object that crossed the line): by volume, not by count, so
/// the top of the list is where the bytes go. On with <c>SIPACTORS_BENCH_ALLOCS=1</c>.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const int GCKeyword = 0x1;
    private const int AllocationTickEvent = 10;
    private readonly ConcurrentDictionary<string, long> _bytes = new(StringComparer.Ordinal);
    private volatile bool _recording;

    public static AllocationSampler? StartIfAsked()
        => Environment.GetEnvironmentVariable("SIPACTORS_BENCH_ALLOCS") == "1" ? new AllocationSampler() : null;

    public void Record() => _recording = true;

    public void Stop() => _recording = false;

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)GCKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!_recording || eventData.EventId != AllocationTickEvent || eventData.Payload is null)
        {
            return;
        }
        var type = "?";
        long amount = 0;
        for (var i = 0; i < eventData.PayloadNames!.Count; i++)
        {
            switch (eventData.PayloadNames[i])
            {
                case "TypeName":
                    type = eventData.Payload[i] as string ?? "?";
                    break;
                case "AllocationAmount64":
                    amount = Convert.ToInt64(eventData.Payload[i], CultureInfo.InvariantCulture);
                    break;
            }
        }
        _bytes.AddOrUpdate(type, amount, (_, sum) => sum + amount);
    }

    /// <summary>The types that took most of the sampled bytes, each with its bytes per registration.</summary>
    public void Print(int registrations, int top = 40)
    {
        var total = _bytes.Values.Sum();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"allocation samples: {total / Math.Max(1, registrations)} B per registration sampled"));
        foreach (var (type, bytes) in _bytes.OrderByDescending(p => p.Value).Take(top))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {bytes / (double)Math.Max(1, registrations),8:0} B  {type}"));
        }
    }
}
