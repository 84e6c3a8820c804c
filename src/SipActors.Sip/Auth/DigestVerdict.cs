namespace SipActors.Sip.Auth;

/// <summary>What a <see cref="DigestVerifier"/> made of a request's credentials.</summary>
internal enum DigestVerdict
{
    /// <summary>The credentials are right and the nonce is ours and fresh.</summary>
    Ok,

    /// <summary>No credentials, credentials that do not parse, or a nonce that is not ours: challenge.</summary>
    Missing,

    /// <summary>Right in form, but the nonce is ours and too old: challenge again with <c>stale=true</c> (RFC 7616 §3.3).</summary>
    Stale,

    /// <summary>Wrong user, realm, algorithm, qop or response: a failed attempt.</summary>
    Wrong,
}
