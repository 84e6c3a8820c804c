using System.Diagnostics;
using Akka.Actor;
using SipActors.Connections;

namespace SipActors.Cluster.Sharding;

/// <summary>
/// The node-wide half of the accounts' gate, one per node shared by every slice it hosts: permits
/// at the node's rate (<see cref="ConnectPermits{T}"/>: <c>connect-rate-limit</c> and
/// <c>max-concurrent-connects</c>, as the local supervisor keeps them), and counts per state of the
/// node's accounts, answered to <see cref="GetSupervisorStatus"/> (and, with the process's and the
/// stack's figures, to <see cref="GetNodeReport"/>). A slice arriving after a failover therefore
/// recovers its accounts within the node's rate, not at a rate of its own.
/// </summary>
public sealed class AccountNode : ReceiveActor, IWithTimers
{
    private const string PermitTimer = "permits";
    private static readonly TimeSpan PermitTick = TimeSpan.FromMilliseconds(20);

    private readonly Dictionary<AccountId, ConnectionStatus> _status = [];
    private readonly ConnectPermits<IActorRef> _permits;
    private readonly Action<IActorRef, int> _grant;
    private readonly NodeUsage _usage;

    public AccountNode(ConnectionSupervisorSettings settings, SipActors.Sip.UserAgents.SipStack? stack = null)
    {
        _usage = new NodeUsage(stack);
        _permits = new ConnectPermits<IActorRef>(settings.ConnectRateLimit, settings.MaxConcurrentConnects, Stopwatch.GetElapsedTime(0));
        _grant = (account, generation) => account.Tell(new PermitGranted(generation));

        Receive<ConnectPermitRequest>(m =>
        {
            _permits.Request(Sender, m.Account, m.Generation);
            ServePermits();
        });
        Receive<PermitTickMessage>(_ => ServePermits());
        Receive<ConnectAttemptFinished>(m =>
        {
            _permits.Release(m.Account);
            ServePermits();
        });
        Receive<AccountStatusChanged>(m => _status[m.Account] = m.Status);
        Receive<AccountStopped>(m =>
        {
            _status.Remove(m.Account);
            if (_permits.Release(m.Account))
            {
                ServePermits();
            }
        });
        Receive<GetSupervisorStatus>(_ => Sender.Tell(Status()));
        Receive<GetNodeReport>(_ =>
        {
            var status = Status();
            Sender.Tell(_usage.Report(((ExtendedActorSystem)Context.System).Provider.DefaultAddress.ToString(), status.Accounts, status.ByStatus));
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The node's gate; <paramref name="stack"/> (the node's SIP stack) gives the retransmissions and timeouts of its <see cref="NodeReport"/>.</summary>
    public static Props Props(ConnectionSupervisorSettings settings, SipActors.Sip.UserAgents.SipStack? stack = null)
        => Akka.Actor.Props.Create(() => new AccountNode(settings, stack));

    protected override void PostStop() => _usage.Dispose();

    private sealed class PermitTickMessage : INotInfluenceReceiveTimeout, INoSerializationVerificationNeeded
    {
        public static readonly PermitTickMessage Instance = new();
        private PermitTickMessage() { }
    }

    private void ServePermits()
    {
        _permits.Serve(Stopwatch.GetElapsedTime(0), _grant);
        if (_permits.Waiting > 0)
        {
            if (!Timers.IsTimerActive(PermitTimer))
            {
                Timers.StartPeriodicTimer(PermitTimer, PermitTickMessage.Instance, PermitTick);
            }
        }
        else
        {
            Timers.Cancel(PermitTimer);
        }
    }

    private SupervisorStatus Status()
    {
        var counts = new Dictionary<ConnectionStatus, int>();
        foreach (var status in _status.Values)
        {
            counts[status] = counts.GetValueOrDefault(status) + 1;
        }
        return new SupervisorStatus(_status.Count, counts);
    }
}
