using System.Globalization;
using Akka.Actor;
using SipActors.Events;

namespace SipActors.Cli.Load;

/// <summary>
/// The one subscriber of a load run: counts every <c>connection:*</c> event by topic and follows
/// each account (first transport attempt, registered, failed, un-registered) in arrays indexed by
/// account, so an event costs a dictionary lookup and a few writes, and no lock is shared with any
/// other thread. The run asks it for progress once a second and for the statistics at the end.
/// </summary>
/// <remarks>
/// Two views of "registered": <c>registered</c> counts accounts that reached it once (the ramp's
/// result, which only goes up), <c>registered now</c> follows <c>connection:registered</c> and
/// <c>connection:unregistered</c>, so an outage shows. An <c>unregistered</c> outside a disconnect
/// (transport lost, refresh rejected) is a loss; a <c>registered</c> after the first is a
/// re-registration. A failed connect's cause carries the REGISTER's status where the cause alone
/// does not say it (<c>SIP Failure Code (503)</c>).
/// </remarks>
internal sealed class LoadStatisticsActor : ReceiveActor
{
    [Flags]
    private enum AccountFlags : byte
    {
        Attempting = 1,
        Registered = 2,
        Failed = 4,
        Unregistered = 8,
        RegisteredNow = 16,
        Disconnecting = 32,
    }

    /// <summary>The cause whose meaning is its status: any final response no other cause covers.</summary>
    private const string SipFailureCode = "SIP Failure Code";

    private readonly IReadOnlyDictionary<string, int> _index;
    private readonly TaskCompletionSource _rampDone;
    private readonly long[] _startedAt;
    private readonly long[] _attemptAt;
    private readonly double[] _latencyMs;
    private readonly AccountFlags[] _flags;
    private readonly short[] _lastFailureStatus; // status of the account's last registrationFailed, 0 when none
    private readonly Dictionary<string, long> _events = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _failuresByCause = new(StringComparer.Ordinal);
    private readonly LatencyHistogram _histogram = new();
    private readonly Dictionary<string, List<string>> _failureDetails = new(StringComparer.Ordinal);
    private readonly List<FailedAccount> _failures = [];
    private readonly int _failuresKept;
    private readonly int _maxFailures;
    private FailedAccount? _latestFailure;
    private int _registered;
    private int _failed;
    private int _inFlight;
    private int _unregistered;
    private int _registeredNow;
    private int _losses;
    private int _reregistrations;
    private long _eventCount;
    private long _firstAttempt;
    private long _lastRegistered;

    /// <param name="index">Account id → position in the run.</param>
    /// <param name="rampDone">Completed once every account registered or failed.</param>
    /// <param name="failuresKept">How many failed accounts to keep, in the order they failed (all of them for <c>--failures FILE</c>).</param>
    /// <param name="maxFailures">Failures after which <paramref name="rampDone"/> completes too (<c>--max-failures</c>).</param>
    public LoadStatisticsActor(IReadOnlyDictionary<string, int> index, TaskCompletionSource rampDone, int failuresKept = LoadReport.FailuresShown, int? maxFailures = null)
    {
        _maxFailures = maxFailures ?? int.MaxValue;
        _index = index;
        _failuresKept = failuresKept;
        _rampDone = rampDone;
        _startedAt = new long[index.Count];
        _attemptAt = new long[index.Count];
        _latencyMs = new double[index.Count];
        _flags = new AccountFlags[index.Count];
        _lastFailureStatus = new short[index.Count];
        Receive<ConnectionEvent>(OnEvent);
        Receive<ObservedEvent>(e => Count(e.Topic));
        Receive<GetLoadProgress>(_ => Sender.Tell(Progress()));
        Receive<GetLoadStatistics>(_ => Sender.Tell(Statistics()));
    }

    public static Props Props(IReadOnlyDictionary<string, int> index, TaskCompletionSource rampDone, int failuresKept = LoadReport.FailuresShown, int? maxFailures = null)
        => Akka.Actor.Props.Create(() => new LoadStatisticsActor(index, rampDone, failuresKept, maxFailures));

    /// <summary>Distinct detail texts kept per failure cause: enough to see what differs, few enough to read.</summary>
    internal const int DetailsPerCause = 3;

    private void Count(string topic)
    {
        _eventCount++;
        ref var count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_events, topic, out _);
        count++;
    }

    private void OnEvent(ConnectionEvent e)
    {
        Count(e.Topic);
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
                _flags[i] &= ~AccountFlags.Disconnecting;
                _lastFailureStatus[i] = 0;
                break;
            case Disconnecting:
                _flags[i] |= AccountFlags.Disconnecting;
                break;
            case RegistrationFailed registrationFailed:
                _lastFailureStatus[i] = (short)(registrationFailed.StatusCode ?? 0);
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
                OnFailed(i, e.Account.Value, Cause(failed.Cause ?? "Connect Error", _lastFailureStatus[i]), failed.Error);
                break;
            case Unregistered unregistered:
                OnUnregistered(i, unregistered);
                break;
        }
    }

    private void OnRegistered(int i, long at)
    {
        var flags = _flags[i];
        if ((flags & AccountFlags.RegisteredNow) == 0)
        {
            _flags[i] |= AccountFlags.RegisteredNow;
            _registeredNow++;
        }
        if ((flags & AccountFlags.Registered) != 0)
        {
            // Registered again after a loss: counted, but the first registration is the one measured.
            _reregistrations++;
            return;
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

    private void OnUnregistered(int i, Unregistered e)
    {
        var flags = _flags[i];
        if ((flags & AccountFlags.RegisteredNow) != 0)
        {
            _flags[i] &= ~AccountFlags.RegisteredNow;
            _registeredNow--;
            if ((flags & AccountFlags.Disconnecting) == 0)
            {
                _losses++; // not asked for: the transport went or a refresh was refused
            }
        }
        if (e.StatusCode is >= 200 and < 300 && (flags & AccountFlags.Unregistered) == 0)
        {
            _flags[i] |= AccountFlags.Unregistered;
            _unregistered++;
        }
    }

    private static string Cause(string cause, short status)
        => status > 0 && cause == SipFailureCode ? string.Create(CultureInfo.InvariantCulture, $"{cause} ({status})") : cause;

    private void OnFailed(int i, string account, string cause, string detail)
    {
        if ((_flags[i] & (AccountFlags.Registered | AccountFlags.Failed)) != 0)
        {
            return;
        }
        EndAttempt(i);
        _flags[i] |= AccountFlags.Failed;
        _failed++;
        _failuresByCause[cause] = _failuresByCause.GetValueOrDefault(cause) + 1;
        if (!_failureDetails.TryGetValue(cause, out var details))
        {
            _failureDetails[cause] = details = [];
        }
        if (details.Count < DetailsPerCause && !details.Contains(detail, StringComparer.Ordinal))
        {
            details.Add(detail);
        }
        _latestFailure = new FailedAccount(account, cause, _lastFailureStatus[i] > 0 ? _lastFailureStatus[i] : null, detail);
        if (_failures.Count < _failuresKept)
        {
            _failures.Add(_latestFailure);
        }
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
        if (_registered + _failed >= _flags.Length || _failed >= _maxFailures)
        {
            _rampDone.TrySetResult();
        }
    }

    private LoadProgress Progress()
        => new(_registered, _failed, _inFlight, _unregistered, _eventCount, _histogram.Percentile(0.50), _histogram.Percentile(0.99))
        {
            RegisteredNow = _registeredNow,
            Losses = _losses,
            Reregistrations = _reregistrations,
            // A copy: the progress crosses to the run's thread. Only failures make it non-empty.
            FailuresByCause = _failuresByCause.Count == 0 ? EmptyCauses : new Dictionary<string, int>(_failuresByCause, StringComparer.Ordinal),
            LatestFailure = _latestFailure,
        };

    private static readonly IReadOnlyDictionary<string, int> EmptyCauses = new Dictionary<string, int>();

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
            _lastRegistered == 0 ? null : new DateTimeOffset(_lastRegistered, TimeSpan.Zero))
        {
            Losses = _losses,
            Reregistrations = _reregistrations,
            FailureDetails = _failureDetails.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)[.. p.Value], StringComparer.Ordinal),
            Failures = [.. _failures],
        };
    }
}
