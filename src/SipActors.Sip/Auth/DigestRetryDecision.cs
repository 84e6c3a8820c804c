namespace SipActors.Sip.Auth;

/// <summary>What <see cref="DigestRetry.Decide"/> made of a response to one of our requests.</summary>
internal enum DigestRetryDecision
{
    /// <summary>Send the request again (same Call-ID, next CSeq, new branch) with the answer <see cref="DigestRetry.Authorize"/> adds.</summary>
    Retry,

    /// <summary>Not a 401 or 407: nothing to answer.</summary>
    NotChallenged,

    /// <summary>A 401 or 407 without a challenge this client can compute (scheme, algorithm or qop).</summary>
    Unsupported,

    /// <summary>A challenge, but the request has no credentials to answer it with.</summary>
    NoCredentials,

    /// <summary>Answered already and the server did not say the nonce was stale: the credentials are not accepted.</summary>
    Refused,
}
