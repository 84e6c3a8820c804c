namespace SipActors.Sip.Registration;

/// <summary>Maps statuses to causes and causes to the names CONTRACT.md §2 publishes.</summary>
public static class RegistrationFailureCauses
{
    /// <summary>The cause for a final failure status (401/407 mean the credentials were refused: they count only after a retry).</summary>
    public static RegistrationFailureCause FromStatus(int statusCode) => statusCode switch
    {
        401 or 407 => RegistrationFailureCause.AuthenticationError,
        403 or 603 => RegistrationFailureCause.Rejected,
        404 or 604 => RegistrationFailureCause.NotFound,
        408 or 410 or 430 or 480 => RegistrationFailureCause.Unavailable,
        _ => RegistrationFailureCause.SipFailureCode,
    };

    /// <summary>The published name: "Authentication Error", "Rejected", "Not Found", "Unavailable", "SIP Failure Code", "Request Timeout", "Connection Error".</summary>
    public static string ToDisplayName(this RegistrationFailureCause cause) => cause switch
    {
        RegistrationFailureCause.AuthenticationError => "Authentication Error",
        RegistrationFailureCause.Rejected => "Rejected",
        RegistrationFailureCause.NotFound => "Not Found",
        RegistrationFailureCause.Unavailable => "Unavailable",
        RegistrationFailureCause.SipFailureCode => "SIP Failure Code",
        RegistrationFailureCause.RequestTimeout => "Request Timeout",
        RegistrationFailureCause.ConnectionError => "Connection Error",
        _ => throw new ArgumentOutOfRangeException(nameof(cause)),
    };
}
