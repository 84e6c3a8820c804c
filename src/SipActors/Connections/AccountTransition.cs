using SipActors.Events;

namespace SipActors.Connections;

/// <summary>The state an <see cref="AccountState"/> transition leads to, and the events to publish once the account is in it.</summary>
/// <remarks>
/// A transition publishes at most two events; they are held as they are, not in an array, which
/// the decider read once and dropped (an array per transition of every registration).
/// <see cref="Events"/> makes the list for whoever asks for it.
/// </remarks>
public readonly record struct AccountTransition
{
    private readonly IReadOnlyList<ConnectionEvent>? _events;

    public AccountTransition(AccountState state, IReadOnlyList<ConnectionEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        State = state;
        _events = events;
    }

    internal AccountTransition(AccountState state)
        => State = state;

    internal AccountTransition(AccountState state, ConnectionEvent first, ConnectionEvent? second = null)
    {
        State = state;
        First = first;
        Second = second;
    }

    public AccountState State { get; }

    /// <summary>The events to publish, in order.</summary>
    public IReadOnlyList<ConnectionEvent> Events => _events ?? (First is null ? [] : Second is null ? [First] : [First, Second]);

    internal ConnectionEvent? First { get; }

    internal ConnectionEvent? Second { get; }

    /// <summary>The events given as a list (by the public constructor); null when they are <see cref="First"/> and <see cref="Second"/>.</summary>
    internal IReadOnlyList<ConnectionEvent>? Listed => _events;

    public void Deconstruct(out AccountState state, out IReadOnlyList<ConnectionEvent> events) => (state, events) = (State, Events);
}
