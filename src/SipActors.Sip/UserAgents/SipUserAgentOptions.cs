using SipActors.Sip.Transports;

namespace SipActors.Sip.UserAgents;

/// <summary>One account's user agent: who it is and where it connects.</summary>
public sealed record SipUserAgentOptions
{
    public required string User { get; init; }
    public required string Domain { get; init; }
    public required SipServerTarget Target { get; init; }
    public string? Password { get; init; }

    /// <summary>The user name of the digest credentials when it is not <see cref="User"/> (an auth user distinct from the AOR's).</summary>
    public string? AuthUser { get; init; }
    public string? DisplayName { get; init; }
    public int Expires { get; init; } = 300;
    public string UserAgent { get; init; } = "SipActors";
    public IReadOnlyList<KeyValuePair<string, string>> ExtraHeaders { get; init; } = [];

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("User = ").Append(User).Append(", Domain = ").Append(Domain).Append(", Target = ").Append(Target)
            .Append(", Password = ").Append(Password is null ? "null" : "***");
        return true;
    }
}
