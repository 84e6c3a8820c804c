using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SipActors.Calls;
using SipActors.Connections;

namespace SipActors.Events;

/// <summary>Events as one JSON object each, for logs and <c>sipactors run --json</c>. Passwords never appear.</summary>
public static class ConnectionEventJson
{
    // JSON lines for logs and pipes, never pasted into HTML: '+' (times, +sip.instance) and '<'
    // (name-addrs) stay readable instead of becoming \u002B and \u003C.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Serialize(AccountEvent connectionEvent)
    {
        ArgumentNullException.ThrowIfNull(connectionEvent);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("topic", connectionEvent.Topic);
            writer.WriteString("account", connectionEvent.Account.Value);
            writer.WriteString("time", connectionEvent.Time.ToString("O", CultureInfo.InvariantCulture));
            connectionEvent.WritePayload(writer);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    internal static void WriteNullableNumber(Utf8JsonWriter writer, string name, int? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    internal static void WriteParameters(Utf8JsonWriter writer, ConnectionParameters p)
    {
        writer.WriteStartObject("parameters");
        writer.WriteString("sipServerIp", p.SipServerIp);
        writer.WriteString("sipServerUrl", p.SipServerUrl);
        writer.WriteString("displayName", p.DisplayName);
        writer.WriteBoolean("register", p.Register);
        writer.WriteString("user", p.User);
        writer.WriteBoolean("hasPassword", !string.IsNullOrEmpty(p.Password));
        writer.WriteString("remoteAddress", p.RemoteAddress);
        writer.WriteString("userAgent", p.UserAgent);
        writer.WriteBoolean("sessionTimers", p.SessionTimers);
        writer.WriteString("incomingCalls", p.IncomingCalls.ToConfigName());
        writer.WriteNumber("noAnswerTimeout", p.NoAnswerTimeout);
        writer.WriteNumber("registerExpires", p.RegisterExpires);
        writer.WriteNumber("connectionRecoveryMinInterval", p.ConnectionRecoveryMinInterval);
        writer.WriteNumber("connectionRecoveryMaxInterval", p.ConnectionRecoveryMaxInterval);
        writer.WriteStartArray("extraHeaders");
        foreach (var header in p.ExtraHeaders)
        {
            writer.WriteStringValue(header);
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    internal static void WriteConfiguration(Utf8JsonWriter writer, ConnectionConfiguration c)
    {
        writer.WriteStartObject("configuration");
        writer.WriteString("sipServerIp", c.SipServerIp);
        writer.WriteString("sipServerUrl", c.SipServerUrl);
        writer.WriteString("displayName", c.DisplayName);
        writer.WriteBoolean("register", c.Register);
        writer.WriteString("user", c.User);
        writer.WriteBoolean("hasPassword", !string.IsNullOrEmpty(c.Password));
        writer.WriteString("contact", c.Contact);
        writer.WriteString("localEndPoint", c.LocalEndPoint);
        writer.WriteEndObject();
    }
}
