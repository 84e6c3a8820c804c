namespace SipActors.Sip.Registration;

/// <summary>Why a registration failed, in the causes of CONTRACT.md §2 (the seed library's JsSIP causes).</summary>
public enum RegistrationFailureCause
{
    /// <summary>401/407 again after the credentials were sent.</summary>
    AuthenticationError,
    /// <summary>403 or 603.</summary>
    Rejected,
    /// <summary>404 or 604.</summary>
    NotFound,
    /// <summary>408, 410, 430 or 480.</summary>
    Unavailable,
    /// <summary>Any other final status of 300 or more.</summary>
    SipFailureCode,
    /// <summary>No final response before Timer F.</summary>
    RequestTimeout,
    /// <summary>The transport failed or was lost.</summary>
    ConnectionError,
}
