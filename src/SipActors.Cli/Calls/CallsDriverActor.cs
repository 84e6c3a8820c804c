using System.Diagnostics;
using Akka.Actor;
using SipActors.Calls;
using SipActors.Cli.Load;
using SipActors.Connections;
using SipActors.Events;

namespace SipActors.Cli.Calls;

/// <summary>
/// Places a <c>sipactors calls</c> run's calls and follows them, on the actors an embedding service
/// uses: a <see cref="Call"/> to the supervisor per call at the pace of the rate profile (the 1 ms
/// ticks of a <see cref="CallPacer"/>, open model), each call's <c>session:*</c> events from the event stream,
/// a <see cref="HangUp"/> to its session actor when its hold ends (a timer per call). It also
/// counts registrations from <c>connection:*</c>, and keeps every figure the report needs, so the
/// run asks one actor once a second and nothing is shared between threads.
/// </summary>
internal sealed class CallsDriverActor : ReceiveActor, IWithTimers
{
    private const int FailureDetailsKept = 3;

    private readonly IActorRef _supervisor;
    private readonly CallsOptions _options;
    private readonly Stopwatch _clock = new();
    private readonly Dictionary<string, ActiveCall> _calls = new(StringComparer.Ordinal);
    private readonly HashSet<string> _calleeCalls = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _byesSent = new(StringComparer.Ordinal);
    private readonly HashSet<string> _registered = new(StringComparer.Ordinal);
    private readonly HashSet<string> _registrationFailed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _registrationFailures = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unregistered = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _failures = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _failureDetails = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _inviteResponses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _byeResponses = new(StringComparer.Ordinal);
    private readonly List<double> _setupMs = [];
    private readonly List<double> _ringMs = [];
    private readonly List<double> _byeMs = [];
    private readonly LatencyHistogram _liveSetup = new();
    private IReadOnlyList<AccountId> _callers = [];
    private IReadOnlyList<string> _targets = [];
    private CallPacer? _pacer;
    private bool _placing;
    private bool _stopping;
    private long _placed;
    private int _pending;
    private long _answered;
    private long _failed;
    private long _completed;
    private long _cancelledAtStop;
    private int _peakUp;
    private long _events;

    /// <summary>A call of ours (the caller's side) from its INVITE to its end.</summary>
    private sealed class ActiveCall(AccountId caller, IActorRef actor, DateTimeOffset invitedAt)
    {
        public AccountId Caller { get; } = caller;
        public IActorRef Actor { get; } = actor;
        public DateTimeOffset InvitedAt { get; } = invitedAt;
        public bool Provisional { get; set; }
        public bool Answered { get; set; }
        public bool HungUp { get; set; }
    }

    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }

    private sealed record HoldEnded(string CallId);

    /// <summary>Takes the answers to our HangUps, which nobody needs: the session:ended event tells how the call ended.</summary>
    private sealed class HangUpAnswers : UntypedActor
    {
        protected override void OnReceive(object message)
        {
        }
    }

    private IActorRef _hangUpAnswers = ActorRefs.Nobody;

    public ITimerScheduler Timers { get; set; } = null!;

    public CallsDriverActor(IActorRef supervisor, CallsOptions options)
    {
        _supervisor = supervisor;
        _options = options;
        Receive<Registered>(e => Count(() => _registered.Add(e.Account.Value)));
        Receive<RegistrationFailed>(e => Count(() =>
        {
            if (!_registered.Contains(e.Account.Value) && _registrationFailed.Add(e.Account.Value))
            {
                _registrationFailures[e.Cause] = _registrationFailures.GetValueOrDefault(e.Cause) + 1;
            }
        }));
        Receive<Unregistered>(e => Count(() => _unregistered.Add(e.Account.Value)));
        Receive<NewRtcSession>(OnNewSession);
        Receive<SessionRinging>(e => OnProvisional(e.Account, e.CallId, e.Time));
        Receive<SessionProgress>(e => OnProvisional(e.Account, e.CallId, e.Time));
        Receive<SessionAnswered>(OnAnswered);
        Receive<SessionEnded>(OnEnded);
        Receive<ConnectionEvent>(_ => _events++);
        Receive<SessionEvent>(_ => _events++);
        Receive<StartCalling>(OnStart);
        Receive<Tick>(_ =>
        {
            _pacer?.Taken();
            PlaceDue();
        });
        Receive<HoldEnded>(OnHoldEnded);
        Receive<StopCalling>(_ => OnStop());
        Receive<TransactionEnded>(OnTransactionEnded);
        Receive<CommandResult>(OnPlaced); // the answers to our Calls (those to HangUps go to _hangUpAnswers)
        Receive<GetCallsProgress>(_ => Sender.Tell(Progress()));
        Receive<GetCallsStatistics>(_ => Sender.Tell(new CallsStatistics(Progress(), [.. _setupMs], [.. _ringMs], [.. _byeMs],
            new Dictionary<string, int>(_registrationFailures, StringComparer.Ordinal), new Dictionary<string, long>(_inviteResponses, StringComparer.Ordinal),
            new Dictionary<string, long>(_byeResponses, StringComparer.Ordinal),
            _failureDetails.ToDictionary(d => d.Key, d => (IReadOnlyList<string>)[.. d.Value], StringComparer.Ordinal))));
    }

    public static Props Props(IActorRef supervisor, CallsOptions options) => Akka.Actor.Props.Create(() => new CallsDriverActor(supervisor, options));

    private int Up => _calls.Count + _pending;

    private void Count(Action action)
    {
        _events++;
        action();
    }

    private void OnStart(StartCalling start)
    {
        _callers = [.. start.Callers.Where(c => _registered.Contains(c.Value))];
        _targets = [.. start.Targets.Where(t => t.Callee is not { } callee || _registered.Contains(callee.Value)).Select(t => t.Uri)];
        Sender.Tell(new CallingStarted(_callers.Count, _targets.Count));
        if (_callers.Count == 0 || _targets.Count == 0 || _stopping)
        {
            return;
        }
        _placing = true;
        _clock.Start();
        _pacer = CallPacer.Start(Self, Tick.Instance, CallPacer.Interval);
        PlaceDue();
    }

    /// <summary>Places the calls the profile has due by now (open model: whatever the answers), bounded by --max-concurrent and --calls.</summary>
    private void PlaceDue()
    {
        if (!_placing)
        {
            return;
        }
        var due = (long)Math.Floor(_options.Rate.StartedBy(_clock.Elapsed));
        if (_options.MaxCalls is { } max)
        {
            due = Math.Min(due, max);
        }
        while (_placed < due && Up < _options.MaxConcurrent)
        {
            var caller = _callers[(int)(_placed % _callers.Count)];
            var target = _targets[(int)(_placed % _targets.Count)];
            _placed++;
            _pending++;
            // A Tell rather than an Ask: no temporary actor, timeout and continuation per call (an
            // Ask was half of the driver's CPU). Every command gets a reply (CONTRACT.md §4), so the
            // answer comes back to Self.
            _supervisor.Tell(new Call(caller, target), Self);
        }
        if (_options.MaxCalls is { } limit && _placed >= limit)
        {
            StopPacing();
        }
    }

    private void StopPacing()
    {
        _placing = false;
        _pacer?.Dispose();
        _pacer = null;
    }

    protected override void PreStart()
    {
        _hangUpAnswers = Context.ActorOf(Akka.Actor.Props.Create<HangUpAnswers>(), "hang-up-answers");
        base.PreStart();
    }

    protected override void PostStop()
    {
        _pacer?.Dispose();
        base.PostStop();
    }

    private void OnPlaced(CommandResult placed)
    {
        _pending--;
        if (!placed.IsSuccess)
        {
            Fail(CallsCauses.NotPlaced, placed.Error);
        }
    }

    private void OnNewSession(NewRtcSession e)
    {
        _events++;
        var session = e.Session;
        if (session.Originator != "local")
        {
            _calleeCalls.Add(Key(e.Account, session.CallId));
            return;
        }
        var call = new ActiveCall(e.Account, session.Actor, e.Time);
        _calls[session.CallId] = call;
        _peakUp = Math.Max(_peakUp, Up);
        if (_stopping)
        {
            HangUp(session.CallId, call);
        }
    }

    private void OnProvisional(AccountId account, string callId, DateTimeOffset time)
    {
        _events++;
        if (_calls.TryGetValue(callId, out var call) && call.Caller.Equals(account) && !call.Provisional)
        {
            call.Provisional = true;
            _ringMs.Add((time - call.InvitedAt).TotalMilliseconds);
        }
    }

    private void OnAnswered(SessionAnswered e)
    {
        _events++;
        if (!_calls.TryGetValue(e.CallId, out var call) || !call.Caller.Equals(e.Account) || call.Answered)
        {
            return;
        }
        call.Answered = true;
        _answered++;
        var setup = (e.Time - call.InvitedAt).TotalMilliseconds;
        _setupMs.Add(setup);
        _liveSetup.Add(setup);
        if (_stopping)
        {
            HangUp(e.CallId, call);
            return;
        }
        var hold = _options.Hold;
        if (_options.HoldJitter > TimeSpan.Zero)
        {
#pragma warning disable CA5394 // a hold's jitter, not a secret
            hold += _options.HoldJitter * Random.Shared.NextDouble();
#pragma warning restore CA5394
        }
        Timers.StartSingleTimer("hold-" + e.CallId, new HoldEnded(e.CallId), hold);
    }

    private void OnHoldEnded(HoldEnded hold)
    {
        if (_calls.TryGetValue(hold.CallId, out var call))
        {
            HangUp(hold.CallId, call);
        }
    }

    private void HangUp(string callId, ActiveCall call)
    {
        if (!call.HungUp)
        {
            call.HungUp = true;
            if (call.Answered)
            {
                // The session actor sends the BYE as it takes the HangUp: BYE -> 200 is timed from here, mailbox included.
                _byesSent[callId] = DateTimeOffset.UtcNow;
            }
            call.Actor.Tell(new HangUp(call.Caller, callId), _hangUpAnswers);
        }
    }

    private void OnEnded(SessionEnded e)
    {
        _events++;
        if (_calleeCalls.Remove(Key(e.Account, e.CallId)))
        {
            return;
        }
        if (!_calls.TryGetValue(e.CallId, out var call) || !call.Caller.Equals(e.Account))
        {
            return;
        }
        _calls.Remove(e.CallId);
        if (!(call.Answered && e.Cause == SessionEndCauses.Terminated && e.Originator == "local"))
        {
            _byesSent.Remove(e.CallId); // no BYE of ours will be answered
        }
        Timers.Cancel("hold-" + e.CallId);
        if (call.Answered && call.HungUp && e.Cause == SessionEndCauses.Terminated && e.Originator == "local")
        {
            _completed++;
        }
        else if (!call.Answered && _stopping && call.HungUp && e.Cause == SessionEndCauses.Canceled && e.StatusCode is >= 200 and < 300)
        {
            // RFC 3261 §9.1: the callee's 2xx crossed the CANCEL of the stop, so the call was set up
            // after all and ended with a BYE. The callee, Kamailio and the INVITE and BYE counts all
            // see an answered call: so does the report (it counted a cancelled one before, one call
            // in a few runs at the end of --duration).
            _answered++;
            _completed++;
        }
        else if (!call.Answered && _stopping && call.HungUp && e.Cause == SessionEndCauses.Canceled)
        {
            _cancelledAtStop++; // ours: the run ended before the answer
        }
        else
        {
            Fail(e.Cause, e.StatusCode is { } status ? $"{status} {e.Reason}".TrimEnd() : e.Reason);
        }
    }

    private void Fail(string cause, string? detail = null)
    {
        _failed++;
        _failures[cause] = _failures.GetValueOrDefault(cause) + 1;
        // The first few distinct texts of each cause tell why (a transport error's message, a reason phrase).
        if (!string.IsNullOrEmpty(detail))
        {
            if (!_failureDetails.TryGetValue(cause, out var details))
            {
                _failureDetails[cause] = details = [];
            }
            if (details.Count < FailureDetailsKept && !details.Contains(detail))
            {
                details.Add(detail);
            }
        }
    }

    private void OnStop()
    {
        _stopping = true;
        StopPacing();
        foreach (var (callId, call) in _calls)
        {
            Timers.Cancel("hold-" + callId);
            HangUp(callId, call);
        }
    }

    private void OnTransactionEnded(TransactionEnded e)
    {
        var status = e.StatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "timeout";
        var responses = e.Method == "INVITE" ? _inviteResponses : _byeResponses;
        responses[status] = responses.GetValueOrDefault(status) + 1;
        if (e.Method == "INVITE")
        {
            return;
        }
        if (e.CallId is { } callId && _byesSent.Remove(callId, out var sentAt))
        {
            if (e.StatusCode is >= 200 and < 300)
            {
                _byeMs.Add(Math.Max(0, (e.Time - sentAt).TotalMilliseconds));
            }
            else
            {
                // The peer may still be in the call (a proxy refused the BYE, it never arrived): not a clean call.
                Fail(CallsCauses.ByeFailed, e.StatusCode is { } byeStatus ? $"BYE answered {byeStatus}" : "BYE not answered");
            }
        }
    }

    private CallsProgress Progress() => new(
        _registered.Count, _registrationFailed.Count, _unregistered.Count,
        _placed, _answered, _failed, _completed, _cancelledAtStop, Up, _peakUp, _calleeCalls.Count,
        new Dictionary<string, long>(_failures, StringComparer.Ordinal),
        _liveSetup.Percentile(0.50), _liveSetup.Percentile(0.99),
        _placing, AllPlaced: !_placing && _clock.IsRunning, _events);

    private static string Key(AccountId account, string callId) => account.Value + "\n" + callId;
}
