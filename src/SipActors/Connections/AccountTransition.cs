using SipActors.Events;

namespace SipActors.Connections;

/// <summary>The state an <see cref="AccountState"/> transition leads to, and the events to publish once the account is in it.</summary>
public readonly record struct AccountTransition(AccountState State, IReadOnlyList<ConnectionEvent> Events);
