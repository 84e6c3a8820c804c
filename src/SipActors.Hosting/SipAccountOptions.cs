using SipActors.Calls;
using SipActors.Connections;

namespace SipActors.Hosting;

/// <summary>
/// One account in <see cref="SipActorsOptions.Accounts"/> (configuration key
/// <c>SipActors:Accounts:N</c>): the fields of <see cref="ConnectionParameters"/> plus its id.
/// Keep the password out of appsettings.json in production: environment variables
/// (<c>SipActors__Accounts__0__Password</c>) or a secret store bind the same key.
/// </summary>
public sealed class SipAccountOptions
{
    /// <summary>The account id (the actor's name); required and unique.</summary>
    public string? Id { get; set; }

    /// <summary>Host of the account's SIP URIs; see <see cref="ConnectionParameters.SipServerIp"/>.</summary>
    public string? SipServerIp { get; set; }

    /// <summary>Where to connect, e.g. <c>udp://127.0.0.1:5060</c>; see <see cref="ConnectionParameters.SipServerUrl"/>.</summary>
    public string? SipServerUrl { get; set; }

    /// <summary>Display name in From/Contact.</summary>
    public string? DisplayName { get; set; }

    /// <summary>REGISTER after connecting (needs <see cref="User"/> and <see cref="Password"/>), false by default as in HOCON.</summary>
    public bool Register { get; set; }

    /// <summary>SIP user name.</summary>
    public string? User { get; set; }

    /// <summary>Digest password; never logged or printed.</summary>
    public string? Password { get; set; }

    /// <summary>The digest user name when the server's differs from <see cref="User"/>.</summary>
    public string? AuthUser { get; set; }

    /// <summary>Keep trying when the first registration fails for a transient reason (see <c>ConnectionParameters.RetryConnect</c>).</summary>
    public bool RetryConnect { get; set; }

    /// <summary>Value of an <c>X-Vinteo-Remote</c> header on REGISTER requests.</summary>
    public string? RemoteAddress { get; set; }

    /// <summary>User-Agent header; the library's own when null.</summary>
    public string? UserAgent { get; set; }

    /// <summary>Session timers (RFC 4028) on calls.</summary>
    public bool SessionTimers { get; set; }

    /// <summary>
    /// What the account does with an incoming INVITE, by its configuration name: <c>ring</c> (the
    /// default, also when null or blank), <c>auto-answer</c>, <c>reject</c> or <c>ignore-event</c>
    /// (<see cref="IncomingCallPolicy"/>; the enum names, such as <c>AutoAnswer</c>, are accepted too).
    /// </summary>
    /// <remarks>
    /// A string rather than the enum: the configuration binder only converts enum names, so the
    /// names of HOCON (<c>auto-answer</c>) would fail while binding, with an error that lists no
    /// accepted value; as a string, <see cref="SipActorsOptionsValidator"/> reports a bad name under
    /// its key with the accepted names, and appsettings.json takes the same names as HOCON.
    /// </remarks>
    public string? IncomingCalls { get; set; }

    /// <summary>
    /// SDP of answers given without one (auto-answer, Answer with no SDP); a minimal inactive
    /// answer mirroring the offer when null. SDP lines end with CRLF (<c>\r\n</c> in JSON).
    /// </summary>
    public string? AnswerSdp { get; set; }

    /// <summary>Seconds a call may go unanswered (1..3600): an incoming one is then answered 480, an outgoing one cancelled; 60 when null.</summary>
    public int? NoAnswerTimeout { get; set; }

    /// <summary>Requested registration lifetime in seconds; <see cref="SipActorsOptions.RegisterExpires"/> when null.</summary>
    public int? RegisterExpires { get; set; }

    /// <summary>Extra <c>Name: value</c> header lines on REGISTER requests.</summary>
    public List<string> ExtraHeaders { get; set; } = [];

    /// <summary>The connect parameters, with the global defaults for what the account does not set.</summary>
    internal ConnectionParameters ToParameters(int defaultRegisterExpires, TimeSpan recoveryMin, TimeSpan recoveryMax)
    {
        var parameters = new ConnectionParameters
        {
            SipServerIp = SipServerIp ?? "",
            SipServerUrl = SipServerUrl ?? "",
            DisplayName = DisplayName ?? "",
            Register = Register,
            User = User,
            Password = Password,
            AuthUser = AuthUser,
            RetryConnect = RetryConnect,
            RemoteAddress = RemoteAddress,
            UserAgent = UserAgent,
            SessionTimers = SessionTimers,
            RegisterExpires = RegisterExpires ?? defaultRegisterExpires,
            ConnectionRecoveryMinInterval = recoveryMin.TotalSeconds,
            ConnectionRecoveryMaxInterval = recoveryMax.TotalSeconds,
            IncomingCalls = IncomingCallPolicyOrInvalid,
            AnswerSdp = AnswerSdp,
            ExtraHeaders = [.. ExtraHeaders],
        };
        // Unset keeps the default of ConnectionParameters rather than a copy of it here.
        return NoAnswerTimeout is { } seconds ? parameters with { NoAnswerTimeout = seconds } : parameters;
    }

    /// <summary>
    /// The policy of <see cref="IncomingCalls"/>; an unknown name gives a value outside the enum, so
    /// <see cref="ConnectionParameters.Validate"/> refuses it rather than an account silently ringing.
    /// </summary>
    internal IncomingCallPolicy IncomingCallPolicyOrInvalid
        => string.IsNullOrWhiteSpace(IncomingCalls) ? IncomingCallPolicy.Ring
            : IncomingCallPolicyNames.TryParse(IncomingCalls, out var policy) ? policy
            : (IncomingCallPolicy)(-1);

    internal SipAccountOptions Clone()
    {
        var copy = (SipAccountOptions)MemberwiseClone();
        copy.ExtraHeaders = [.. ExtraHeaders];
        return copy;
    }

    /// <summary>Id, server and user; never the password.</summary>
    public override string ToString() => $"{Id} ({User}@{SipServerUrl}, password {(Password is null ? "not set" : "***")})";
}
