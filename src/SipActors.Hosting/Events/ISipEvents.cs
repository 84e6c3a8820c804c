using SipActors.Events;

namespace SipActors.Hosting.Events;

/// <summary>
/// The events accounts publish, for code outside actors, filtered by topic string
/// (<see cref="ConnectionTopics"/>): the <c>connection:*</c> lifecycle, the <c>session:*</c> steps
/// of calls (<see cref="SessionTopics"/>), or <c>*</c> for both. Registered by
/// <c>AddSipActorsServices</c> / <c>AddSipActors</c>.
/// In a clustered host (SipActors.Cluster.Hosting's <c>WithSipActorsCluster</c>) a subscription
/// also delivers every other node's account events, rebuilt from DistributedPubSub as the same
/// records (no <c>connection:newRTCSession</c> of another node: its call handle cannot travel),
/// from about a second after it was made (pub/sub registrations spread by gossip).
/// </summary>
public interface ISipEvents
{
    /// <summary>
    /// Subscribes now (events published from this call on are kept) and returns the subscription
    /// to read and dispose. Subscribing before the host starts sees the configured accounts'
    /// first events.
    /// </summary>
    /// <param name="topic">
    /// <c>connection:*</c> (the default), <c>session:*</c>, <c>*</c> (every account event) or one
    /// topic, e.g. <c>connection:registered</c> or <c>session:ended</c>; an unknown topic throws
    /// <see cref="ArgumentException"/> naming it.
    /// </param>
    /// <param name="capacity">Events held for a slow reader before the oldest is dropped; <see cref="SipActorsOptions.EventBufferCapacity"/> when null.</param>
    SipEventSubscription Subscribe(string topic = ConnectionTopics.All, int? capacity = null);

    /// <summary>
    /// The events of <paramref name="topic"/> from the moment enumeration starts until
    /// <paramref name="cancellationToken"/> fires or the actor system stops.
    /// </summary>
    IAsyncEnumerable<AccountEvent> Events(string topic = ConnectionTopics.All, CancellationToken cancellationToken = default);
}
