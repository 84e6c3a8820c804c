namespace SipActors.Calls;

/// <summary>The policy names of configuration files (<c>ring</c>, <c>auto-answer</c>, <c>reject</c>, <c>ignore-event</c>).</summary>
public static class IncomingCallPolicyNames
{
    public static string ToConfigName(this IncomingCallPolicy policy) => policy switch
    {
        IncomingCallPolicy.Ring => "ring",
        IncomingCallPolicy.AutoAnswer => "auto-answer",
        IncomingCallPolicy.Reject => "reject",
        IncomingCallPolicy.IgnoreEvent => "ignore-event",
        _ => policy.ToString(),
    };

    /// <summary>Accepts the config names and the enum names, ignoring case (<c>auto-answer</c>, <c>AutoAnswer</c>).</summary>
    public static bool TryParse(string? text, out IncomingCallPolicy policy)
    {
        var normalized = (text ?? "").Trim().Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
        return Enum.TryParse(normalized, ignoreCase: true, out policy) && Enum.IsDefined(policy) && !int.TryParse(normalized, out _);
    }

    public const string Expected = "ring, auto-answer, reject or ignore-event";
}
