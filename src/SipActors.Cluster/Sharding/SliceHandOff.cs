namespace SipActors.Cluster.Sharding;

/// <summary>
/// The stop message sharding sends a slice when its shard hands over (a graceful leave, a
/// rebalance): the slice un-registers its accounts first, then stops, so the binding of the old
/// node is gone before the new owner registers the same instance (RFC 5626: an un-REGISTER
/// arriving after the new REGISTER would remove the new binding).
/// </summary>
public sealed class SliceHandOff
{
    public static readonly SliceHandOff Instance = new();
    private SliceHandOff() { }
}
