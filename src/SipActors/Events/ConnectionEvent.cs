using System.Text.Json;

namespace SipActors.Events;

/// <summary>
/// Base of the 16 <c>connection:*</c> events. Subscribing to this type on the event stream is
/// subscribing to <c>connection:*</c>; each sealed subtype is one topic.
/// </summary>
public abstract record ConnectionEvent(AccountId Account, DateTimeOffset Time)
{
    /// <summary>The topic string, e.g. <c>connection:registered</c>.</summary>
    public abstract string Topic { get; }

    /// <summary>Writes the payload fields (never a password) into an open JSON object.</summary>
    protected internal abstract void WritePayload(Utf8JsonWriter writer);

    /// <summary>One JSON object: <c>{"topic", "account", "time", payload...}</c>.</summary>
    public string ToJson() => ConnectionEventJson.Serialize(this);
}
