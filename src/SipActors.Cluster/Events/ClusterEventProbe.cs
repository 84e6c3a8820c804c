namespace SipActors.Cluster.Events;

/// <summary>
/// Proves that a subscriber receives a node's events. Pub/sub registrations spread by gossip, so a
/// subscriber does not know when a node starts delivering to it: it sends a probe (with an
/// <see cref="Id"/> of its own and its <see cref="Topic"/>) to the node's bridge
/// (<c>/user/sip-event-bridge</c>), which publishes it on that topic with its <see cref="Node"/>
/// address set. Once the probe comes back, every later event of that node reaches the subscriber
/// (at most once, like any pub/sub message). Other subscribers receive it too and ignore it.
/// </summary>
public sealed record ClusterEventProbe(string Id, string Topic, string Node = "");
