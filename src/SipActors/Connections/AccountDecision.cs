using SipActors.Events;

namespace SipActors.Connections;

/// <summary>What <see cref="AccountState.Decide"/> returns: the next state, and the effects to carry out once the account is in it.</summary>
public readonly record struct AccountDecision(AccountState State, IReadOnlyList<AccountEffect> Effects)
{
    /// <summary>The events the decision publishes, in order.</summary>
    public IEnumerable<ConnectionEvent> Events => Effects.OfType<Publish>().Select(p => p.Event);
}
