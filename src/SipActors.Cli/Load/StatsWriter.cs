using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using SipActors.Sip.Diagnostics;

namespace SipActors.Cli.Load;

/// <summary>
/// <c>--stats FILE.csv</c>: one row per <c>--stats-interval</c> while the run lasts, as SIPp's
/// <c>-trace_stat</c> does, with cumulative counts and the interval's rates and latency
/// percentiles. Each row is flushed as it is written, so a run cut short keeps its rows.
/// </summary>
/// <remarks>
/// Sources: the statistics actor's progress (accounts by state, failures by cause; one Ask per
/// interval), the <c>SipActors</c> meter (refreshes, REGISTER exchanges and their durations, in
/// an HDR histogram per interval), the stack's counters (retransmissions, timeouts, transactions
/// in flight, UDP datagrams) and the process (CPU, working set).
/// </remarks>
internal sealed class StatsWriter : IAsyncDisposable
{
    /// <summary>
    /// The columns, in order. Cumulative unless the name says per second or interval. The latency
    /// columns are the interval's REGISTER exchanges that ended in a 2xx, initial and refresh,
    /// from the REGISTER sent to its 2xx with the digest challenge included (the meter's
    /// sipactors.registration.duration); requests are the UDP datagrams sent (empty for other
    /// transports); transactions_open counts completed UDP transactions still absorbing
    /// retransmissions (Timer K) as well as those in flight.
    /// </summary>
    public static readonly string[] Columns =
    [
        "time_utc", "elapsed_s", "phase",
        "registered_now", "registered", "failed", "in_flight", "losses", "reregistrations", "unregistered",
        "registrations_per_s", "refreshes", "refreshes_per_s", "refresh_failures", "register_ok_per_s",
        "requests_sent", "requests_per_s", "datagrams_received",
        "register_initial", "register_challenged", "register_refresh", "register_unregister", "register_retry",
        "register_1xx", "register_2xx", "register_3xx", "register_4xx", "register_5xx", "register_6xx",
        "register_401", "register_403", "register_404", "register_407", "register_408", "register_423", "register_480", "register_500", "register_503",
        "retransmissions", "retransmissions_interval", "transaction_timeouts", "transaction_timeouts_interval", "transactions_open",
        "latency_count_interval", "latency_p50_ms", "latency_p90_ms", "latency_p99_ms", "latency_max_ms",
        "auth_errors", "rejected", "not_found", "unavailable", "sip_failure_codes", "request_timeouts", "connection_errors",
        "cpu_percent", "working_set_mib",
    ];

    private static readonly int[] StatusColumns = [401, 403, 404, 407, 408, 423, 480, 500, 503];

    private static readonly TimeSpan MinimumRowSpacing = TimeSpan.FromMilliseconds(50);

    private readonly StreamWriter _writer;
    private readonly IActorRef _statistics;
    private readonly Func<StatsSample> _sample;
    private readonly Func<string> _phase;
    private readonly TimeSpan _interval;
    private readonly Stopwatch _clock;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private Previous _previous;

    private StatsWriter(StreamWriter writer, IActorRef statistics, Func<StatsSample> sample, Func<string> phase, TimeSpan interval, Stopwatch clock)
    {
        _writer = writer;
        _statistics = statistics;
        _sample = sample;
        _phase = phase;
        _interval = interval;
        _clock = clock;
        _previous = new Previous(TimeSpan.Zero, 0, 0, 0, 0, 0, 0, sample().Cpu);
    }

    /// <summary>Opens <paramref name="path"/>, writes the header and starts a row every <paramref name="interval"/>.</summary>
    public static StatsWriter Start(string path, IActorRef statistics, Func<StatsSample> sample, Func<string> phase, TimeSpan interval, Stopwatch clock)
    {
        var writer = new StreamWriter(path, append: false) { NewLine = "\n" };
        writer.WriteLine(string.Join(',', Columns));
        writer.Flush();
        var stats = new StatsWriter(writer, statistics, sample, phase, interval, clock);
        stats._loop = stats.RunAsync();
        return stats;
    }

    /// <summary>Rows written so far, header not counted.</summary>
    public int Rows { get; private set; }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(_interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                await WriteRowAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    private async Task WriteRowAsync()
    {
        LoadProgress progress;
        try
        {
            progress = await _statistics.Ask<LoadProgress>(GetLoadProgress.Instance, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return; // a flood of events ahead of the question: this interval has no row rather than a wrong one
        }
        var now = _clock.Elapsed;
        var sample = _sample();
        var cpu = sample.Cpu;
        var refreshes = sample.Refreshes;
        var responses = sample.RegisterResponses;
        long Responses(int from, int to) => responses.Where(r => r.Key >= from && r.Key <= to).Sum(r => r.Value);
        // A cluster's nodes do not count REGISTER exchanges: their 2xx responses stand for them.
        var exchanges = sample.RegisterExchanges ?? Responses(200, 299);
        var sent = sample.DatagramsSent;
        var retransmissions = sample.Retransmissions;
        var timeouts = sample.TransactionTimeouts;
        var latency = sample.Latency;
        var seconds = Math.Max((now - _previous.At).TotalSeconds, 1e-3);
        var causes = progress.FailuresByCause;
        int Cause(string name) => causes.Where(c => c.Key == name || c.Key.StartsWith(name + " (", StringComparison.Ordinal)).Sum(c => c.Value);
        string Rate(double delta) => (delta / seconds).ToString("0.#", CultureInfo.InvariantCulture);
        string Ms(double percentile) => latency is null || latency.TotalCount == 0 ? "" : (latency.GetValueAtPercentile(percentile) / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);
        var fields = new List<string>(Columns.Length)
        {
            DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            now.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture),
            _phase(),
        };
        fields.AddRange(new long[] { progress.RegisteredNow, progress.Registered, progress.Failed, progress.InFlight, progress.Losses, progress.Reregistrations, progress.Unregistered }
            .Select(Invariant));
        fields.Add(Rate(progress.Registered - _previous.Registered));
        fields.Add(Invariant(refreshes));
        fields.Add(Rate(refreshes - _previous.Refreshes));
        fields.Add(Invariant(sample.RefreshFailures));
        fields.Add(Rate(exchanges - _previous.Exchanges));
        fields.Add(sent is { } s ? Invariant(s) : "");
        fields.Add(sent is { } d ? Rate(d - _previous.Sent) : "");
        fields.Add(sample.DatagramsReceived is { } r ? Invariant(r) : "");
        foreach (var kind in Enum.GetValues<RegisterKind>())
        {
            fields.Add(Invariant(sample.RegistersSent.GetValueOrDefault(SipStackMetrics.KindName(kind))));
        }
        for (var statusClass = 1; statusClass <= 6; statusClass++)
        {
            fields.Add(Invariant(Responses(statusClass * 100, statusClass * 100 + 99)));
        }
        foreach (var code in StatusColumns)
        {
            fields.Add(Invariant(responses.GetValueOrDefault(code)));
        }
        fields.Add(Invariant(retransmissions));
        fields.Add(Invariant(retransmissions - _previous.Retransmissions));
        fields.Add(Invariant(timeouts));
        fields.Add(Invariant(timeouts - _previous.Timeouts));
        fields.Add(Invariant(sample.TransactionsOpen));
        fields.Add(latency is null ? "" : Invariant(latency.TotalCount));
        fields.Add(Ms(50));
        fields.Add(Ms(90));
        fields.Add(Ms(99));
        fields.Add(latency is null || latency.TotalCount == 0 ? "" : (latency.GetValueAtPercentile(100) / 1000.0).ToString("0.###", CultureInfo.InvariantCulture));
        foreach (var cause in new[] { "Authentication Error", "Rejected", "Not Found", "Unavailable", "SIP Failure Code", "Request Timeout", "Connection Error" })
        {
            fields.Add(Invariant(Cause(cause)));
        }
        // Of one core: 200 is two cores busy.
        fields.Add(((cpu - _previous.Cpu).TotalSeconds / seconds * 100).ToString("0.#", CultureInfo.InvariantCulture));
        fields.Add((sample.WorkingSetBytes / 1048576.0).ToString("0.#", CultureInfo.InvariantCulture));
        await _writer.WriteLineAsync(string.Join(',', fields)).ConfigureAwait(false);
        await _writer.FlushAsync().ConfigureAwait(false);
        Rows++;
        _previous = new Previous(now, progress.Registered, refreshes, exchanges, sent ?? 0, retransmissions, timeouts, cpu);
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Writes a last row for the end of the run and closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        // Always a last row, for the state at the end: a periodic row a moment before may predate the
        // last un-REGISTERs. A short pause keeps its time apart from that row's.
        var sinceLast = _clock.Elapsed - _previous.At;
        if (Rows > 0 && sinceLast < MinimumRowSpacing)
        {
            await Task.Delay(MinimumRowSpacing - sinceLast).ConfigureAwait(false);
        }
        await WriteRowAsync().ConfigureAwait(false);
        await _writer.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private readonly record struct Previous(TimeSpan At, int Registered, long Refreshes, long Exchanges, long Sent, long Retransmissions, long Timeouts, TimeSpan Cpu);
}
