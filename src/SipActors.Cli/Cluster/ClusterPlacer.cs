using System.Diagnostics;
using Akka.Actor;
using SipActors.Cli.Load;
using SipActors.Connections;

namespace SipActors.Cli.Cluster;

/// <summary>
/// The coordinator's pace for commands to the region: Connects at <c>--rate</c> (or the rate
/// stages) with at most <c>--concurrency</c> unanswered (a placed Connect is answered when its
/// connect finished on its node, so this bounds the registrations in flight over the whole
/// cluster), and at the end a Disconnect for every account, as many at once. One Tell per account
/// and a 20 ms tick, no Ask per account. A command whose node died never answers: its slot frees
/// after <see cref="AnswerTimeout"/>.
/// </summary>
internal sealed class ClusterPlacer : ReceiveActor, IWithTimers
{
    /// <summary>A Connect answers within the node's connect-timeout and permit wait; a Disconnect within its un-REGISTER's: both far below this.</summary>
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(20);

    private readonly IActorRef _region;
    private readonly Stopwatch _clock = new();
    private readonly Dictionary<AccountId, TimeSpan> _inFlight = [];
    private IReadOnlyList<IWithAccountId> _commands = [];
    private Func<TimeSpan, double> _due = _ => 0;
    private int _concurrency = 1;
    private int _next;
    private int _timedOut;
    private bool _waitForAnswers;
    private IActorRef? _requester;

    public ClusterPlacer(IActorRef region)
    {
        _region = region;
        Receive<PlaceAll>(m =>
        {
            Finish();
            double? rate = m.Rate is { } r && r < 1_000_000 ? r : null;
            Begin(m.Connects, m.Stages is { } stages ? stages.StartedBy : rate is { } perSecond ? t => 1 + perSecond * t.TotalSeconds : _ => double.MaxValue,
                m.Concurrency, waitForAnswers: false);
        });
        Receive<DisconnectEvery>(m =>
        {
            Finish();
            Begin([.. m.Accounts.Select(a => new Disconnect(a))], _ => double.MaxValue, m.Concurrency, waitForAnswers: true);
        });
        Receive<StopPlacing>(_ =>
        {
            if (!_waitForAnswers)
            {
                Finish();
            }
        });
        Receive<PlacerTick>(_ => Send());
        // A Connect still in flight when its Disconnect went is answered Superseded: not the Disconnect's answer.
        Receive<CommandResult>(r => !(_waitForAnswers && r.Status == CommandStatus.Superseded), r =>
        {
            if (_inFlight.Remove(r.Account))
            {
                Send();
            }
        });
        Receive<CommandResult>(_ => { });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef region) => Akka.Actor.Props.Create(() => new ClusterPlacer(region));

    private void Begin(IReadOnlyList<IWithAccountId> commands, Func<TimeSpan, double> due, int concurrency, bool waitForAnswers)
    {
        _requester = Sender;
        _commands = commands;
        _due = due;
        _concurrency = Math.Max(1, concurrency);
        _waitForAnswers = waitForAnswers;
        _next = 0;
        _timedOut = 0;
        _inFlight.Clear();
        _clock.Restart();
        Timers.StartPeriodicTimer("tick", PlacerTick.Instance, Tick);
        Send();
    }

    private void Send()
    {
        if (_requester is null)
        {
            return;
        }
        var now = _clock.Elapsed;
        foreach (var (account, sentAt) in _inFlight.Where(p => now - p.Value > AnswerTimeout).ToList())
        {
            _inFlight.Remove(account);
            _timedOut++;
        }
        var due = Math.Min(_commands.Count, _due(now));
        while (_next < due && _inFlight.Count < _concurrency)
        {
            var command = _commands[_next++];
            _inFlight[command.Account] = now;
            _region.Tell(command, Self);
        }
        if (_next == _commands.Count && (!_waitForAnswers || _inFlight.Count == 0))
        {
            Finish();
        }
    }

    private void Finish()
    {
        if (_requester is null)
        {
            return;
        }
        Timers.Cancel("tick");
        var unanswered = _waitForAnswers ? _inFlight.Count + _timedOut : 0;
        _requester.Tell(unanswered == 0
            ? new CommandResult(new AccountId("*"), CommandStatus.Ok)
            : new CommandResult(new AccountId("*"), CommandStatus.Failed, $"{Plural.Of(unanswered, "account")} did not answer their Disconnect within {AnswerTimeout.TotalSeconds:0} s"));
        _requester = null;
        _commands = [];
        _inFlight.Clear();
    }

    private sealed class PlacerTick : INotInfluenceReceiveTimeout, INoSerializationVerificationNeeded
    {
        public static readonly PlacerTick Instance = new();
        private PlacerTick() { }
    }
}

/// <summary>Places every Connect at the pace asked; answered once all were sent, or on <see cref="StopPlacing"/>.</summary>
internal sealed record PlaceAll(IReadOnlyList<Connect> Connects, RateProfile? Stages, double? Rate, int Concurrency);

/// <summary>Disconnects every account, <see cref="Concurrency"/> at a time; answered once each answered (or timed out).</summary>
internal sealed record DisconnectEvery(IReadOnlyList<AccountId> Accounts, int Concurrency);

/// <summary>No more Connects: the ramp ended.</summary>
internal sealed class StopPlacing
{
    public static readonly StopPlacing Instance = new();
    private StopPlacing() { }
}
