using System.Globalization;
using System.Text;
using SipActors.Calls;
using SipActors.Sip.Transports;

namespace SipActors.Connections;

/// <summary>
/// The parameters of one connect (CONTRACT.md §3, the seed's <c>TParametersConnection</c>). The
/// password is never printed.
/// </summary>
public sealed record ConnectionParameters
{
    /// <summary>Host of the account's SIP URIs: AOR <c>sip:User@SipServerIp</c>, registrar <c>sip:SipServerIp</c>.</summary>
    public required string SipServerIp { get; init; }

    /// <summary>Where to connect; see <see cref="SipServerTarget"/> for the accepted forms.</summary>
    public required string SipServerUrl { get; init; }

    /// <summary>Display name in From/Contact; trimmed, inner spaces become '_'.</summary>
    public string DisplayName { get; init; } = "";

    public bool Register { get; init; }
    public string? User { get; init; }
    public string? Password { get; init; }

    /// <summary>The user name of the digest credentials when the server's differs from <see cref="User"/>; <see cref="User"/> when null.</summary>
    public string? AuthUser { get; init; }

    /// <summary>Adds <c>X-Vinteo-Remote: value</c> to REGISTER requests.</summary>
    public string? RemoteAddress { get; init; }

    public string? UserAgent { get; init; }

    /// <summary>RFC 4028 session timers on calls.</summary>
    public bool SessionTimers { get; init; }

    /// <summary>What the account does with an incoming INVITE; <see cref="IncomingCallPolicy.Ring"/> by default.</summary>
    public IncomingCallPolicy IncomingCalls { get; init; } = IncomingCallPolicy.Ring;

    /// <summary>SDP of answers given without one (auto-answer, Answer with no SDP); a minimal inactive answer when null.</summary>
    public string? AnswerSdp { get; init; }

    /// <summary>Seconds a call may go unanswered: an incoming one is then answered 480, an outgoing one cancelled.</summary>
    public int NoAnswerTimeout { get; init; } = 60;
    public int RegisterExpires { get; init; } = 300;
    public double ConnectionRecoveryMinInterval { get; init; } = 2;
    public double ConnectionRecoveryMaxInterval { get; init; } = 6;

    /// <summary>
    /// Keep trying when the first registration fails for a transient reason (a 5xx, 408/480, a
    /// timeout, a connection error): the connect still fails and says so, then the account goes on
    /// as after a loss, backed off. Off by default, as the seed's library has it; for long-running
    /// accounts (<c>sipactors run</c>, hosted services) whose server may be down when they start.
    /// </summary>
    public bool RetryConnect { get; init; }

    /// <summary>Extra <c>Name: value</c> lines added to REGISTER requests.</summary>
    public IReadOnlyList<string> ExtraHeaders { get; init; } = [];

    /// <summary>The display name as sent: trimmed, inner whitespace runs replaced by '_'.</summary>
    public string NormalizedDisplayName
        => string.Join('_', DisplayName.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>Every problem, each naming its field; empty when the parameters can be used.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(SipServerIp))
        {
            errors.Add("SipServerIp is required");
        }
        else if (SipServerIp.AsSpan().IndexOfAny(" \t\r\n;@<>") >= 0)
        {
            errors.Add($"SipServerIp '{SipServerIp}' is not a host");
        }
        if (!SipTargetResolver.TryGetTarget(SipServerUrl, out _, out var urlError))
        {
            errors.Add($"SipServerUrl {urlError}");
        }
        if (Register)
        {
            if (string.IsNullOrWhiteSpace(User))
            {
                errors.Add("User is required when Register is true");
            }
            if (string.IsNullOrWhiteSpace(Password))
            {
                errors.Add("Password is required when Register is true");
            }
        }
        if (User is { } user && user.AsSpan().IndexOfAny(" \t\r\n@<>:;\"") >= 0)
        {
            errors.Add($"User '{user}' contains characters not allowed in a SIP user name");
        }
        if (AuthUser is { } authUser && (authUser.Length == 0 || authUser.AsSpan().IndexOfAny("\r\n\"") >= 0))
        {
            errors.Add("AuthUser must be a non-empty user name without quotes or line breaks");
        }
        if (RegisterExpires is < 1 or > 86400)
        {
            errors.Add($"RegisterExpires must be 1..86400 seconds, not {RegisterExpires.ToString(CultureInfo.InvariantCulture)}");
        }
        if (ConnectionRecoveryMinInterval <= 0 || ConnectionRecoveryMaxInterval < ConnectionRecoveryMinInterval)
        {
            errors.Add("ConnectionRecoveryMinInterval must be positive and not above ConnectionRecoveryMaxInterval");
        }
        foreach (var header in ExtraHeaders)
        {
            var colon = header.IndexOf(':');
            if (colon <= 0 || header.AsSpan().IndexOfAny('\r', '\n') >= 0 || header[..colon].Trim().AsSpan().IndexOfAny(" \t") >= 0)
            {
                errors.Add($"ExtraHeaders entry '{header}' is not 'Name: value'");
            }
        }
        if (NoAnswerTimeout is < 1 or > 3600)
        {
            errors.Add($"NoAnswerTimeout must be 1..3600 seconds, not {NoAnswerTimeout.ToString(CultureInfo.InvariantCulture)}");
        }
        if (!Enum.IsDefined(IncomingCalls))
        {
            errors.Add($"IncomingCalls must be {IncomingCallPolicyNames.Expected}");
        }
        if (RemoteAddress is { } remote && remote.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            errors.Add("RemoteAddress must not contain line breaks");
        }
        return errors;
    }

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("SipServerIp = ").Append(SipServerIp)
            .Append(", SipServerUrl = ").Append(SipServerUrl)
            .Append(", DisplayName = ").Append(DisplayName)
            .Append(", Register = ").Append(Register)
            .Append(", User = ").Append(User)
            .Append(", AuthUser = ").Append(AuthUser)
            .Append(", Password = ").Append(Password is null ? "null" : "***")
            .Append(", RegisterExpires = ").Append(RegisterExpires)
            .Append(", IncomingCalls = ").Append(IncomingCalls.ToConfigName());
        return true;
    }
}
