namespace SipActors.Sip.Registration;

/// <summary>Who registers where: the account's address of record, credentials and Contact details.</summary>
public sealed record RegistrationOptions
{
    /// <summary>The user part of the AOR <c>sip:User@Domain</c>.</summary>
    public required string User { get; init; }

    /// <summary>The domain of the AOR and of the registrar URI <c>sip:Domain</c>.</summary>
    public required string Domain { get; init; }

    /// <summary>Username for digest authentication; defaults to <see cref="User"/>.</summary>
    public string? AuthUser { get; init; }

    /// <summary>The password; never printed (see <see cref="PrintMembers"/>).</summary>
    public string? Password { get; init; }

    public string? DisplayName { get; init; }

    /// <summary>Requested binding lifetime in seconds (RFC 3261 §10.2.1.1), 300 by default.</summary>
    public int Expires { get; init; } = 300;

    /// <summary>Stable <c>+sip.instance</c> URN (RFC 5626 §4.1); derived from the AOR when null.</summary>
    public string? InstanceId { get; init; }

    /// <summary>The <c>reg-id</c> of this flow (RFC 5626 §4.2), 1 by default.</summary>
    public int RegId { get; init; } = 1;

    /// <summary>User-Agent header value.</summary>
    public string UserAgent { get; init; } = "SipActors";

    /// <summary>Extra header lines (<c>Name: value</c>) added to every REGISTER, e.g. <c>X-Vinteo-Remote</c>.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ExtraHeaders { get; init; } = [];

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("User = ").Append(User).Append(", Domain = ").Append(Domain)
            .Append(", Password = ").Append(Password is null ? "null" : "***")
            .Append(", Expires = ").Append(Expires);
        return true;
    }
}
