namespace SipActors.Cluster.Hosting;

/// <summary>
/// ActorRegistry key of the account slices' shard region (or, on a node that hosts none, its
/// proxy), registered by <c>WithSipActorsCluster</c>: actors take
/// <c>IRequiredActor&lt;SipAccountSlices&gt;</c> and send it any account command
/// (<c>IWithAccountId</c>), which reaches the account on whichever node runs it.
/// </summary>
public sealed class SipAccountSlices
{
    private SipAccountSlices() { }
}
