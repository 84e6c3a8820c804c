using System.Globalization;
using System.Text.Json;
using SipActors.Calls;
using SipActors.Connections;

namespace SipActors.Cluster.Serialization;

/// <summary>
/// The JSON shapes of the values inside cluster messages. Every field is written and read by
/// name; a field a newer node adds is ignored by an older one, a field an older node lacks takes
/// its default. This is a wire format, not a log: it carries the password (the node that takes a
/// slice over must register), so nothing here is ever printed.
/// </summary>
internal static class WireJson
{
    /// <summary>
    /// Only what differs from the defaults is written (the reader fills in the rest): a slice's
    /// definitions gossip as one value, and at 100,000 accounts over 256 slices that value holds
    /// about 400 of them.
    /// </summary>
    public static void WriteParameters(Utf8JsonWriter w, string name, ConnectionParameters p)
    {
        var d = Defaults;
        w.WriteStartObject(name);
        w.WriteString("sipServerIp", p.SipServerIp);
        w.WriteString("sipServerUrl", p.SipServerUrl);
        Optional(w, "displayName", p.DisplayName.Length == 0 ? null : p.DisplayName);
        Optional(w, "register", p.Register, d.Register);
        Optional(w, "user", p.User);
        Optional(w, "password", p.Password);
        Optional(w, "remoteAddress", p.RemoteAddress);
        Optional(w, "userAgent", p.UserAgent);
        Optional(w, "sessionTimers", p.SessionTimers, d.SessionTimers);
        if (p.IncomingCalls != d.IncomingCalls)
        {
            w.WriteString("incomingCalls", p.IncomingCalls.ToConfigName());
        }
        Optional(w, "answerSdp", p.AnswerSdp);
        Optional(w, "noAnswerTimeout", p.NoAnswerTimeout, d.NoAnswerTimeout);
        Optional(w, "registerExpires", p.RegisterExpires, d.RegisterExpires);
        Optional(w, "connectionRecoveryMinInterval", p.ConnectionRecoveryMinInterval, d.ConnectionRecoveryMinInterval);
        Optional(w, "connectionRecoveryMaxInterval", p.ConnectionRecoveryMaxInterval, d.ConnectionRecoveryMaxInterval);
        Optional(w, "retryConnect", p.RetryConnect, d.RetryConnect);
        Optional(w, "authUser", p.AuthUser);
        if (p.ExtraHeaders.Count > 0)
        {
            w.WriteStartArray("extraHeaders");
            foreach (var header in p.ExtraHeaders)
            {
                w.WriteStringValue(header);
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    private static readonly ConnectionParameters Defaults = new() { SipServerIp = "", SipServerUrl = "" };

    private static void Optional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    private static void Optional(Utf8JsonWriter w, string name, bool value, bool fallback)
    {
        if (value != fallback)
        {
            w.WriteBoolean(name, value);
        }
    }

    private static void Optional(Utf8JsonWriter w, string name, int value, int fallback)
    {
        if (value != fallback)
        {
            w.WriteNumber(name, value);
        }
    }

    private static void Optional(Utf8JsonWriter w, string name, double value, double fallback)
    {
        if (value != fallback)
        {
            w.WriteNumber(name, value);
        }
    }

    public static ConnectionParameters ReadParameters(JsonElement e)
    {
        var defaults = Defaults;
        return new ConnectionParameters
        {
            SipServerIp = String(e, "sipServerIp") ?? "",
            SipServerUrl = String(e, "sipServerUrl") ?? "",
            DisplayName = String(e, "displayName") ?? "",
            Register = Bool(e, "register", defaults.Register),
            User = String(e, "user"),
            Password = String(e, "password"),
            RemoteAddress = String(e, "remoteAddress"),
            UserAgent = String(e, "userAgent"),
            SessionTimers = Bool(e, "sessionTimers", defaults.SessionTimers),
            IncomingCalls = IncomingCallPolicyNames.TryParse(String(e, "incomingCalls"), out var policy) ? policy : defaults.IncomingCalls,
            AnswerSdp = String(e, "answerSdp"),
            NoAnswerTimeout = Int(e, "noAnswerTimeout") ?? defaults.NoAnswerTimeout,
            RegisterExpires = Int(e, "registerExpires") ?? defaults.RegisterExpires,
            ConnectionRecoveryMinInterval = Double(e, "connectionRecoveryMinInterval") ?? defaults.ConnectionRecoveryMinInterval,
            ConnectionRecoveryMaxInterval = Double(e, "connectionRecoveryMaxInterval") ?? defaults.ConnectionRecoveryMaxInterval,
            RetryConnect = Bool(e, "retryConnect", defaults.RetryConnect),
            AuthUser = String(e, "authUser"),
            ExtraHeaders = e.TryGetProperty("extraHeaders", out var headers) && headers.ValueKind == JsonValueKind.Array
                ? [.. headers.EnumerateArray().Select(h => h.GetString() ?? "")]
                : [],
        };
    }

    public static void WriteConfiguration(Utf8JsonWriter w, string name, ConnectionConfiguration c)
    {
        w.WriteStartObject(name);
        w.WriteString("sipServerIp", c.SipServerIp);
        w.WriteString("sipServerUrl", c.SipServerUrl);
        w.WriteString("displayName", c.DisplayName);
        w.WriteBoolean("register", c.Register);
        w.WriteString("user", c.User);
        w.WriteString("password", c.Password);
        w.WriteString("contact", c.Contact);
        w.WriteString("localEndPoint", c.LocalEndPoint);
        w.WriteEndObject();
    }

    public static ConnectionConfiguration ReadConfiguration(JsonElement e) => new(
        String(e, "sipServerIp") ?? "",
        String(e, "sipServerUrl") ?? "",
        String(e, "displayName") ?? "",
        Bool(e, "register", false),
        String(e, "user") ?? "",
        String(e, "password"),
        String(e, "contact"),
        String(e, "localEndPoint"));

    public static string? String(JsonElement e, string name)
        => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static string RequiredString(JsonElement e, string name)
        => String(e, name) ?? throw new JsonException($"the field '{name}' is missing");

    public static bool Bool(JsonElement e, string name, bool fallback)
        => e.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : fallback;

    public static int? Int(JsonElement e, string name)
        => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;

    public static long? Long(JsonElement e, string name)
        => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : null;

    public static double? Double(JsonElement e, string name)
        => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    public static TEnum Enum<TEnum>(JsonElement e, string name) where TEnum : struct, System.Enum
        => System.Enum.TryParse<TEnum>(String(e, name), ignoreCase: false, out var value) && System.Enum.IsDefined(value)
            ? value
            : throw new JsonException($"the field '{name}' is not a {typeof(TEnum).Name}");

    public static string Invariant(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);

    public static DateTimeOffset Time(JsonElement e, string name)
        => DateTimeOffset.Parse(RequiredString(e, name), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}
