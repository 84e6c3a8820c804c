namespace SipActors.Configuration;

/// <summary>A setting of the <c>sip-actors</c> section is missing or wrong; <see cref="Key"/> says which.</summary>
public sealed class SipActorsConfigurationException(string key, string problem)
    : Exception($"{key}: {problem}")
{
    public string Key { get; } = key;
}
