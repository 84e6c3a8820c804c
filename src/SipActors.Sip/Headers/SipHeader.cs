namespace SipActors.Sip.Headers;

/// <summary>One header field line as text: the name as written and the value unfolded and trimmed.</summary>
public readonly record struct SipHeader(SipHeaderId Id, string Name, string Value)
{
    public override string ToString() => Id is SipHeaderId.Authorization or SipHeaderId.ProxyAuthorization
        ? $"{Name}: <credentials redacted>"
        : $"{Name}: {Value}";
}
