namespace SipActors.Events;

/// <summary>
/// Base of the 16 <c>connection:*</c> events. Subscribing to this type on the event stream is
/// subscribing to <c>connection:*</c>; each sealed subtype is one topic.
/// </summary>
public abstract record ConnectionEvent(AccountId Account, DateTimeOffset Time) : AccountEvent(Account, Time);
