namespace SipActors.Sip.Auth;

/// <summary>
/// A username and password for digest authentication. The password is only readable inside the
/// SIP core and never appears in <see cref="ToString"/>, exception messages or logs.
/// </summary>
public sealed class DigestCredentials
{
    /// <param name="username">The authentication user name (RFC 3261 §22.4: often differs from the AOR user part).</param>
    /// <param name="password">The secret; may be empty.</param>
    /// <exception cref="ArgumentException">The username is empty or contains a control character.</exception>
    public DigestCredentials(string username, string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(username);
        ArgumentNullException.ThrowIfNull(password);
        // The username is echoed in a header: a line break in it would split the message.
        if (username.AsSpan().ContainsAny(DigestSyntax.ControlChars))
        {
            throw new ArgumentException("The username contains a control character.", nameof(username));
        }
        Username = username;
        Password = password;
    }

    /// <summary>The user name sent in <c>username="…"</c> (or hashed, when the server asks for userhash).</summary>
    public string Username { get; }

    internal string Password { get; }

    /// <summary>The username only; the password is masked.</summary>
    public override string ToString() => $"DigestCredentials {{ Username = {Username}, Password = *** }}";
}
