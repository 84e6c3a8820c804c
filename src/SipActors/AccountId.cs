namespace SipActors;

/// <summary>Identifies one SIP account (and its actor) within a supervisor.</summary>
public readonly record struct AccountId(string Value)
{
    public override string ToString() => Value;

    public static implicit operator AccountId(string value) => new(value);

    /// <summary>The name of the account's actor: the id escaped, so any id (spaces, slashes, '$') makes a valid, unique actor name.</summary>
    public string ToActorName() => Uri.EscapeDataString(Value);

    /// <summary>The account an actor named by <see cref="ToActorName"/> stands for.</summary>
    public static AccountId FromActorName(string name) => new(Uri.UnescapeDataString(name));
}
