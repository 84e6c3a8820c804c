using SipActors.Sip.Calls;

namespace SipActors.Events;

/// <summary>
/// The <c>cause</c> strings of <c>session:ended</c>, named like the seed library's session causes
/// (and like <c>registrationFailed</c>'s), so observers written for it keep working.
/// </summary>
public static class SessionEndCauses
{
    public const string Terminated = "Terminated";
    public const string Canceled = "Canceled";
    public const string Busy = "Busy";
    public const string Rejected = "Rejected";
    public const string NotFound = "Not Found";
    public const string Unavailable = "Unavailable";
    public const string AddressIncomplete = "Address Incomplete";
    public const string IncompatibleSdp = "Incompatible SDP";
    public const string SipFailureCode = "SIP Failure Code";
    public const string AuthenticationError = "Authentication Error";
    public const string NoAnswer = "No Answer";
    public const string RequestTimeout = "Request Timeout";
    public const string NoAck = "No ACK";
    public const string ConnectionError = "Connection Error";
    public const string SessionTimerExpired = "Session Timer Expired";

    /// <summary>The cause string of a call that ended with <paramref name="cause"/> and (for rejections) <paramref name="statusCode"/>.</summary>
    public static string From(SipCallEndCause cause, int? statusCode) => cause switch
    {
        SipCallEndCause.LocalHangUp or SipCallEndCause.RemoteHangUp => Terminated,
        SipCallEndCause.Cancelled => Canceled,
        SipCallEndCause.Rejected => statusCode switch
        {
            486 or 600 => Busy,
            403 or 603 => Rejected,
            404 or 604 => NotFound,
            408 or 410 or 430 or 480 => Unavailable,
            484 => AddressIncomplete,
            488 or 606 => IncompatibleSdp,
            _ => SipFailureCode,
        },
        SipCallEndCause.AuthenticationFailed => AuthenticationError,
        SipCallEndCause.NoAnswer => NoAnswer,
        SipCallEndCause.RequestTimeout => RequestTimeout,
        SipCallEndCause.NoAck => NoAck,
        SipCallEndCause.TransportError or SipCallEndCause.ConnectionLost => ConnectionError,
        SipCallEndCause.SessionTimerExpired => SessionTimerExpired,
        _ => cause.ToString(),
    };
}
