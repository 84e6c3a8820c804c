using System.Text.Json;
using SipActors.Calls;
using SipActors.Connections;
using SipActors.Events;

namespace SipActors.Cluster.Events;

/// <summary>
/// Turns a <see cref="ClusterAccountEvent"/>'s JSON (what <see cref="AccountEvent.ToJson"/> wrote
/// on the node) back into the event record, so that a subscriber on another node handles a node's
/// events as it handles its own. What never travels stays out: passwords (a resolved
/// configuration has none), a NOTIFY's request. A <c>connection:newRTCSession</c> is not rebuilt
/// (its handle holds the call's actor and the INVITE): <see cref="TryDecode"/> returns null for it,
/// and for a topic this version does not know.
/// </summary>
public static class ClusterAccountEventDecoder
{
    private static readonly ConnectionParameters Defaults = new() { SipServerIp = "", SipServerUrl = "" };

    /// <summary>The event record, or null for a <c>connection:newRTCSession</c>, an unknown topic or JSON that does not read.</summary>
    public static AccountEvent? TryDecode(ClusterAccountEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        try
        {
            using var document = JsonDocument.Parse(e.Json);
            return Decode(e.Topic, e.Account, e.Time, document.RootElement);
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            return null;
        }
    }

    private static AccountEvent? Decode(string topic, AccountId account, DateTimeOffset time, JsonElement j) => topic switch
    {
        ConnectionTopics.ConnectStarted => new ConnectStarted(account, time),
        ConnectionTopics.ConnectParametersResolveSuccess => new ConnectParametersResolveSucceeded(account, time, Parameters(j.GetProperty("parameters"))),
        ConnectionTopics.ConnectParametersResolveFailed => new ConnectParametersResolveFailed(account, time, Text(j, "error") ?? ""),
        ConnectionTopics.Connecting => new Connecting(account, time, Int(j, "attempt") ?? 0, Text(j, "transportUri") ?? ""),
        ConnectionTopics.ConnectedWithConfiguration => new ConnectedWithConfiguration(account, time, Configuration(j.GetProperty("configuration"))),
        ConnectionTopics.Connected => new Connected(account, time, Text(j, "transportUri") ?? "", Text(j, "localEndPoint")),
        ConnectionTopics.Registered => new Registered(account, time, Int(j, "status") ?? 200, Text(j, "reason") ?? "", Int(j, "expires") ?? 0, Text(j, "contact") ?? ""),
        ConnectionTopics.Unregistered => new Unregistered(account, time, Int(j, "status"), Text(j, "cause") ?? ""),
        ConnectionTopics.RegistrationFailed => new RegistrationFailed(account, time, Int(j, "status"), Text(j, "cause") ?? ""),
        ConnectionTopics.ConnectSucceeded => new ConnectSucceeded(account, time, Configuration(j.GetProperty("configuration"))),
        ConnectionTopics.ConnectFailed => new ConnectFailed(account, time, Text(j, "error") ?? "", Text(j, "cause")),
        ConnectionTopics.Disconnecting => new Disconnecting(account, time),
        ConnectionTopics.Disconnected => new Disconnected(account, time, Bool(j, "error"), Text(j, "reason")),
        ConnectionTopics.NewMessage => new NewMessage(account, time, Text(j, "originator") ?? "", Text(j, "from") ?? "", Text(j, "to") ?? "", Text(j, "contentType"), Text(j, "body") ?? ""),
        ConnectionTopics.SipEvent => new SipEvent(account, time, Text(j, "event") ?? "", Text(j, "eventId"), Text(j, "contentType"), Text(j, "body") ?? "")
        {
            EventParameters = j.TryGetProperty("eventParams", out var p) && p.ValueKind == JsonValueKind.Object
                ? [.. p.EnumerateObject().Select(x => new KeyValuePair<string, string?>(x.Name, x.Value.ValueKind == JsonValueKind.String ? x.Value.GetString() : null))]
                : [],
        },
        SessionTopics.Ringing => new SessionRinging(account, time, Text(j, "callId") ?? "", Text(j, "originator") ?? ""),
        SessionTopics.Progress => new SessionProgress(account, time, Text(j, "callId") ?? "", Int(j, "status") ?? 0, Text(j, "reason") ?? "", Text(j, "remoteSdp")),
        SessionTopics.Answered => new SessionAnswered(account, time, Text(j, "callId") ?? "", Text(j, "originator") ?? "", Text(j, "remoteSdp")),
        SessionTopics.Confirmed => new SessionConfirmed(account, time, Text(j, "callId") ?? "", Text(j, "originator") ?? ""),
        SessionTopics.Updated => new SessionUpdated(account, time, Text(j, "callId") ?? "", Text(j, "originator") ?? "", Text(j, "remoteSdp")),
        SessionTopics.Ended => new SessionEnded(account, time, Text(j, "callId") ?? "", Text(j, "originator") ?? "", Text(j, "cause") ?? "", Int(j, "status"), Text(j, "reason")),
        _ => null,
    };

    /// <summary>The parameters as the event printed them: everything but the password, which it never holds.</summary>
    private static ConnectionParameters Parameters(JsonElement j) => new()
    {
        SipServerIp = Text(j, "sipServerIp") ?? "",
        SipServerUrl = Text(j, "sipServerUrl") ?? "",
        DisplayName = Text(j, "displayName") ?? "",
        Register = Bool(j, "register"),
        User = Text(j, "user"),
        RemoteAddress = Text(j, "remoteAddress"),
        UserAgent = Text(j, "userAgent"),
        SessionTimers = Bool(j, "sessionTimers"),
        IncomingCalls = IncomingCallPolicyNames.TryParse(Text(j, "incomingCalls"), out var policy) ? policy : Defaults.IncomingCalls,
        NoAnswerTimeout = Int(j, "noAnswerTimeout") ?? Defaults.NoAnswerTimeout,
        RegisterExpires = Int(j, "registerExpires") ?? Defaults.RegisterExpires,
        ConnectionRecoveryMinInterval = Double(j, "connectionRecoveryMinInterval") ?? Defaults.ConnectionRecoveryMinInterval,
        ConnectionRecoveryMaxInterval = Double(j, "connectionRecoveryMaxInterval") ?? Defaults.ConnectionRecoveryMaxInterval,
        ExtraHeaders = j.TryGetProperty("extraHeaders", out var headers) && headers.ValueKind == JsonValueKind.Array
            ? [.. headers.EnumerateArray().Select(h => h.GetString() ?? "")]
            : [],
    };

    private static ConnectionConfiguration Configuration(JsonElement j)
        => new(Text(j, "sipServerIp") ?? "", Text(j, "sipServerUrl") ?? "", Text(j, "displayName") ?? "", Bool(j, "register"), Text(j, "user") ?? "", null, Text(j, "contact"), Text(j, "localEndPoint"));

    private static string? Text(JsonElement j, string name) => j.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static int? Int(JsonElement j, string name) => j.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n : null;

    private static double? Double(JsonElement j, string name) => j.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    private static bool Bool(JsonElement j, string name) => j.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

}
