namespace SipActors.Cluster.Events;

/// <summary>
/// One account event as it travels over DistributedPubSub: the node that published it, the
/// account, a sequence number per account on that node (1, 2, 3…: pub/sub is at most once and
/// unordered across nodes, so an observer finds gaps and reorders by it; an account that moves
/// starts a new sequence on its new node), the topic, the time and the event's JSON
/// (<see cref="SipActors.Events.AccountEvent.ToJson"/>, which never holds a password). The JSON
/// stands in for the event object: calls' handles and SIP requests do not travel.
/// </summary>
public sealed record ClusterAccountEvent(string Node, AccountId Account, long Sequence, string Topic, DateTimeOffset Time, string Json);
