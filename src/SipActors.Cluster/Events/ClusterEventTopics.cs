namespace SipActors.Cluster.Events;

/// <summary>
/// The DistributedPubSub topics account events travel on: a few, not one per account (every
/// topic costs every node an entry in the mediator's gossiped registry).
/// </summary>
public static class ClusterEventTopics
{
    /// <summary>Every <c>connection:*</c> event of every node.</summary>
    public const string Connection = "sip-actors.connection";

    /// <summary>Every <c>session:*</c> event (calls) of every node.</summary>
    public const string Session = "sip-actors.session";

    /// <summary>The topic an event of <paramref name="topic"/> (<c>connection:registered</c>, <c>session:ended</c>…) goes to.</summary>
    public static string For(string topic) => topic.StartsWith("session:", StringComparison.Ordinal) ? Session : Connection;
}
