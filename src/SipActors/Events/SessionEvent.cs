namespace SipActors.Events;

/// <summary>
/// Base of the <c>session:*</c> events: the steps of one call of an account, after its
/// <c>connection:newRTCSession</c>, identified by <see cref="CallId"/>. <c>session:ended</c> comes
/// exactly once and last. Subscribing to this type is subscribing to <c>session:*</c>.
/// </summary>
public abstract record SessionEvent(AccountId Account, DateTimeOffset Time, string CallId) : AccountEvent(Account, Time);
