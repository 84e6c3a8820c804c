using System.Globalization;
using Akka.Actor;
using Akka.Cluster;

namespace SipActors.Cli.Cluster;

/// <summary>
/// Prints the cluster's membership changes as <c>cluster.Subscribe</c> reports them, one line each:
/// <c>HH:mm:ss.fff member up akka.tcp://sipactors@127.0.0.1:4054 [sip-accounts]</c>. The node's
/// own address is marked, so an operator reading several terminals knows which is which.
/// </summary>
internal sealed class MembershipPrinter : ReceiveActor
{
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);

    public MembershipPrinter(TextWriter output)
    {
        Receive<ClusterEvent.IMemberEvent>(e => output.WriteLine(Line(Describe(e), e.Member)));
        Receive<ClusterEvent.UnreachableMember>(e => output.WriteLine(Line("member unreachable", e.Member)));
        Receive<ClusterEvent.ReachableMember>(e => output.WriteLine(Line("member reachable again", e.Member)));
        Receive<ClusterEvent.CurrentClusterState>(_ => { });
    }

    public static Props Props(TextWriter output) => Akka.Actor.Props.Create(() => new MembershipPrinter(output));

    protected override void PreStart()
        => _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private static string Describe(ClusterEvent.IMemberEvent e) => e switch
    {
        ClusterEvent.MemberJoined => "member joined",
        ClusterEvent.MemberWeaklyUp => "member weakly up",
        ClusterEvent.MemberUp => "member up",
        ClusterEvent.MemberLeft => "member leaving",
        ClusterEvent.MemberExited => "member exited",
        ClusterEvent.MemberDowned => "member downed",
        ClusterEvent.MemberRemoved removed => "member removed (was " + removed.PreviousStatus.ToString().ToLowerInvariant() + ")",
        _ => "member " + e.Member.Status.ToString().ToLowerInvariant(),
    };

    private string Line(string what, Member member)
    {
        var roles = member.Roles.Count == 0 ? "" : " [" + string.Join(", ", member.Roles.Order(StringComparer.Ordinal)) + "]";
        var self = member.Address.Equals(_cluster.SelfAddress) ? " (this node)" : "";
        return string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.Now:HH:mm:ss.fff} {what} {member.Address}{roles}{self}");
    }
}
