namespace SipActors;

/// <summary>Identifies one SIP account (and its actor) within a supervisor.</summary>
public readonly record struct AccountId(string Value)
{
    public override string ToString() => Value;

    public static implicit operator AccountId(string value) => new(value);
}
