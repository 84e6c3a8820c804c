namespace SipActors.Sip.Auth;

/// <summary>A username and password for digest authentication. The password is never printed.</summary>
public sealed class DigestCredentials
{
    public DigestCredentials(string username, string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(username);
        ArgumentNullException.ThrowIfNull(password);
        Username = username;
        Password = password;
    }

    public string Username { get; }

    internal string Password { get; }

    public override string ToString() => $"DigestCredentials {{ Username = {Username}, Password = *** }}";
}
