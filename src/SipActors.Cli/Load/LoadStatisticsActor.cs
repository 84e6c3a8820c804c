using Akka.Actor;
using SipActors.Events;

namespace SipActors.Cli.Load;

/// <summary>
/// The one subscriber of a load run: counts every <c>connection:*</c> event by topic and follows
/// each account (first transport attempt, registered, failed, un-registered) in arrays indexed by
/// account, so an event costs a dictionary lookup and a few writes, and no lock is shared with any
/// other thread. The run asks it for progress once a second and for the statistics at the end.
/// </summary>
internal sealed class LoadStatisticsActor : ReceiveActor
{
    [Flags]
    private enum AccountFlags : byte
    {
        Attempting = 1,
        Registered = 2,
        Failed = 4,
        Unregistered = 8,
    }

    private readonly IReadOnlyDictionary<string, int> _index;
    private readonly TaskCompletionSource _rampDone;
    private readonly long[] _startedAt;
    private readonly long[] _attemptAt;
    private readonly double[] _latencyMs;
    private readonly AccountFlags[] _flags;
    private readonly Dictionary<string, long> _events = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _failuresByCause = new(StringComparer.Ordinal);
    private readonly LatencyHistogram _histogram = new();
    private int _registered;
    private int _failed;
    private int _inFlight;
    private int _unregistered;
    private long _eventCount;
    private long _firstAttempt;
    private long _lastRegistered;

    /// <param name="index">Account id → position in the run.</param>
    /// <param name="rampDone">Completed once every account registered or failed.</param>
    public LoadStatisticsActor(IReadOnlyDictionary<string, int> index, TaskCompletionSource rampDone)
    {
        _index = index;
        _rampDone = rampDone;
        _startedAt = new long[index.Count];
        _attemptAt = new long[index.Count];
        _latencyMs = new double[index.Count];
        _flags = new AccountFlags[index.Count];
        Receive<ConnectionEvent>(OnEvent);
        Receive<GetLoadProgress>(_ => Sender.Tell(Progress()));
        Receive<GetLoadStatistics>(_ => Sender.Tell(Statistics()));
    }

    public static Props Props(IReadOnlyDictionary<string, int> index, TaskCompletionSource rampDone)
        => Akka.Actor.Props.Create(() => new LoadStatisticsActor(index, rampDone));

    private void OnEvent(ConnectionEvent e)
    {
        _eventCount++;
        ref var count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_events, e.Topic, out _);
        count++;
        if (!_index.TryGetValue(e.Account.Value, out var i))
        {
            return;
        }
        var at = e.Time.UtcTicks;
        switch (e)
        {
            case ConnectStarted:
                if (_startedAt[i] == 0)
                {
                    _startedAt[i] = at;
                }
                break;
            case Connecting { Attempt: 0 }:
                // Latency counts from the first transport attempt, when the account got its permit:
                // time queued behind --rate and --concurrency is the generator's, not the server's.
                if (_attemptAt[i] == 0)
                {
                    _attemptAt[i] = at;
                    if (_firstAttempt == 0 || at < _firstAttempt)
                    {
                        _firstAttempt = at;
                    }
                }
                if ((_flags[i] & (AccountFlags.Attempting | AccountFlags.Registered | AccountFlags.Failed)) == 0)
                {
                    _flags[i] |= AccountFlags.Attempting;
                    _inFlight++;
                }
                break;
            case Registered:
                OnRegistered(i, at);
                break;
            case ConnectFailed failed:
                OnFailed(i, failed.Cause ?? "Connect Error");
                break;
            case Unregistered { StatusCode: >= 200 and < 300 }:
                if ((_flags[i] & AccountFlags.Unregistered) == 0)
                {
                    _flags[i] |= AccountFlags.Unregistered;
                    _unregistered++;
                }
                break;
        }
    }

    private void OnRegistered(int i, long at)
    {
        var flags = _flags[i];
        if ((flags & AccountFlags.Registered) != 0)
        {
            return; // registered again after a recovery: the first registration is the one measured
        }
        EndAttempt(i);
        if ((flags & AccountFlags.Failed) != 0)
        {
            _failed--;
        }
        _flags[i] = (_flags[i] | AccountFlags.Registered) & ~AccountFlags.Failed;
        _registered++;
        var from = _attemptAt[i] != 0 ? _attemptAt[i] : _startedAt[i];
        var latency = from == 0 ? 0 : TimeSpan.FromTicks(at - from).TotalMilliseconds;
        _latencyMs[i] = latency;
        _histogram.Add(latency);
        _lastRegistered = Math.Max(_lastRegistered, at);
        CheckRampDone();
    }

    private void OnFailed(int i, string cause)
    {
        if ((_flags[i] & (AccountFlags.Registered | AccountFlags.Failed)) != 0)
        {
            return;
        }
        EndAttempt(i);
        _flags[i] |= AccountFlags.Failed;
        _failed++;
        _failuresByCause[cause] = _failuresByCause.GetValueOrDefault(cause) + 1;
        CheckRampDone();
    }

    private void EndAttempt(int i)
    {
        if ((_flags[i] & AccountFlags.Attempting) != 0)
        {
            _flags[i] &= ~AccountFlags.Attempting;
            _inFlight--;
        }
    }

    private void CheckRampDone()
    {
        if (_registered + _failed >= _flags.Length)
        {
            _rampDone.TrySetResult();
        }
    }

    private LoadProgress Progress()
        => new(_registered, _failed, _inFlight, _unregistered, _eventCount, _histogram.Percentile(0.50), _histogram.Percentile(0.99));

    private LoadStatistics Statistics()
    {
        var latencies = new double[_registered];
        var n = 0;
        for (var i = 0; i < _flags.Length && n < latencies.Length; i++)
        {
            if ((_flags[i] & AccountFlags.Registered) != 0)
            {
                latencies[n++] = _latencyMs[i];
            }
        }
        return new LoadStatistics(
            _registered,
            _failed,
            _unregistered,
            new Dictionary<string, int>(_failuresByCause, StringComparer.Ordinal),
            new SortedDictionary<string, long>(_events, StringComparer.Ordinal),
            latencies,
            _firstAttempt == 0 ? null : new DateTimeOffset(_firstAttempt, TimeSpan.Zero),
            _lastRegistered == 0 ? null : new DateTimeOffset(_lastRegistered, TimeSpan.Zero));
    }
}
