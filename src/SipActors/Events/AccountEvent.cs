using System.Text.Json;

namespace SipActors.Events;

/// <summary>
/// Base of everything an account publishes on the event stream: the 16 <c>connection:*</c> events
/// (<see cref="ConnectionEvent"/>) and the <c>session:*</c> steps of its calls
/// (<see cref="SessionEvent"/>). Subscribing to this type is subscribing to <c>*</c>.
/// </summary>
public abstract record AccountEvent(AccountId Account, DateTimeOffset Time)
{
    /// <summary>The topic string, e.g. <c>connection:registered</c> or <c>session:ended</c>.</summary>
    public abstract string Topic { get; }

    /// <summary>Writes the payload fields (never a password) into an open JSON object.</summary>
    protected internal abstract void WritePayload(Utf8JsonWriter writer);

    /// <summary>One JSON object: <c>{"topic", "account", "time", payload...}</c>.</summary>
    public string ToJson() => ConnectionEventJson.Serialize(this);
}
