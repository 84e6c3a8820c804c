using System.Text.Json;
using SipActors.Calls;
using SipActors.Connections;
using SipActors.Sip;

namespace SipActors.Events;

// The 16 events of CONTRACT.md §2, one sealed record per topic, grouped like the seed's table.

/// <summary>A connect begins, before any parameter is resolved.</summary>
public sealed record ConnectStarted(AccountId Account, DateTimeOffset Time) : ConnectionEvent(Account, Time)
{
    public override string Topic => ConnectionTopics.ConnectStarted;
    protected internal override void WritePayload(Utf8JsonWriter writer) { }
}

/// <summary>The account's parameters were resolved (a value or an async provider).</summary>
public sealed record ConnectParametersResolveSucceeded(AccountId Account, DateTimeOffset Time, ConnectionParameters Parameters) : ConnectionEvent(Account, Time)
{
    public override string Topic => ConnectionTopics.ConnectParametersResolveSuccess;
    protected internal override void WritePayload(Utf8JsonWriter writer) => ConnectionEventJson.WriteParameters(writer, Parameters);
}

/// <summary>The parameter provider failed or timed out.</summary>
public sealed record ConnectParametersResolveFailed(AccountId Account, DateTimeOffset Time, string Error) : ConnectionEvent(Account, Time)
{
    public override string Topic => ConnectionTopics.ConnectParametersResolveFailed;
    protected internal override void WritePayload(Utf8JsonWriter writer) => writer.WriteString("error", Error);
}

/// <summary>A transport connection attempt starts: the first (attempt 0) and every recovery attempt.</summary>
public sealed record Connecting(AccountId Account, DateTimeOffset Time, int Attempt, string TransportUri) : ConnectionEvent(Account, Time)
{
    public override string Topic => ConnectionTopics.Connecting;
    protected internal override void WritePayload(Utf8JsonWriter writer)
    {
        writer.WriteNumber("attempt", Attempt);
        writer.WriteString("transportUri", TransportUri);
    }
}

/// <summary>The transport is up and the configuration known; published just before <see cref="Connected"/>.</summary>
public sealed record ConnectedWithConfiguration(AccountId Account, DateTimeOffset Time, ConnectionConfiguration Configuration) : ConnectionEvent(Account, Time)
{
    public override string Topic => ConnectionTopics.ConnectedWithConfiguration;
    protected internal override void WritePayload(Utf8JsonWriter writer) => ConnectionEventJson.WriteConfiguration(writer, Configuration);
}

/// <summary>The transport is up (for UDP: the socket is bound and the server answered).</summary>
public sealed record Connected(AccountId Account, DateTimeOffset Time, string TransportUri, string? LocalEndPoint) : ConnectionEvent(Account, Time)
{
    public override string Topic => ConnectionTopics.Connected;
    protected internal override void WritePayload(Utf8JsonWriter writer)
    {
        writer.WriteString("transportUri", TransportUri);
        writer.WriteString("localEndPoint", LocalEndPoint);
    }
}

/// <summary>A REGISTER got a 2xx and the account was not registered before (refreshes publish nothing).</summary>
public sealed record Registered(AccountId Account, DateTimeOffset Time, int StatusCode, string Reason, int Expires, string Contact) : ConnectionEvent(Account, Time)
{
    public override string Topic => ConnectionTopics.Registered;
    protected internal override void WritePayload(Utf8JsonWriter writer)
    {
        writer.WriteNumber("status", StatusCode);
        writer.WriteString("reason", Reason);
        writer.WriteNumber("expires", Expires);
        writer.WriteString("contact", Contact);
    }
}

/// <summary>A registration ended: un-REGISTER answered or failed, a refresh rejected, or the transport lost while registered.</summary>
public sealed record Unregistered(AccountId Account, DateTimeOffset Time, int? StatusCode, string Cause) : ConnectionEvent(Account, Time)
{
    public override string Topic => ConnectionTopics.Unregistered;
    protected internal override void WritePayload(Utf8JsonWriter writer)
    {
        ConnectionEventJson.WriteNullableNumber(writer, "status", StatusCode);
        writer.WriteString("cause", Cause);
    }
}

/// <summary>A REGISTER ended in failure; the cause is one of CONTRACT.md §2's names.</summary>
public sealed record RegistrationFailed(AccountId Account, DateTimeOffset Time, int? StatusCode, string Cause) : ConnectionEvent(Account, Time)
{
    public override string Topic => ConnectionTopics.RegistrationFailed;
    protected internal override void WritePayload(Utf8JsonWriter writer)
    {
        ConnectionEventJson.WriteNullableNumber(writer, "status", StatusCode);
        writer.WriteString("cause", Cause);
    }
}

/// <summary>This connect command finished successfully.</summary>
public sealed record ConnectSucceeded(AccountId Account, DateTimeOffset Time, ConnectionConfiguration Configuration) : ConnectionEvent(Account, Time)
{
    public override string Topic => ConnectionTopics.ConnectSucceeded;
    protected internal override void WritePayload(Utf8JsonWriter writer) => ConnectionEventJson.WriteConfiguration(writer, Configuration);
}

/// <summary>This connect command failed (not superseded, not cancelled).</summary>
public sealed record ConnectFailed(AccountId Account, DateTimeOffset Time, string Error, string? Cause) : ConnectionEvent(Account, Time)
{
    public override string Topic => ConnectionTopics.ConnectFailed;
    protected internal override void WritePayload(Utf8JsonWriter writer)
    {
        writer.WriteString("error", Error);
        writer.WriteString("cause", Cause);
    }
}

/// <summary>A disconnect begins.</summary>
public sealed record Disconnecting(AccountId Account, DateTimeOffset Time) : ConnectionEvent(Account, Time)
{
    public override string Topic => ConnectionTopics.Disconnecting;
    protected internal override void WritePayload(Utf8JsonWriter writer) { }
}

/// <summary>The transport closed, once per loss.</summary>
public sealed record Disconnected(AccountId Account, DateTimeOffset Time, bool Error, string? Reason) : ConnectionEvent(Account, Time)
{
    public override string Topic => ConnectionTopics.Disconnected;
    protected internal override void WritePayload(Utf8JsonWriter writer)
    {
        writer.WriteBoolean("error", Error);
        writer.WriteString("reason", Reason);
    }
}

/// <summary>
/// An INVITE arrived for the account (<see cref="Originator"/> <c>remote</c>), or the account
/// placed a call (<c>local</c>). <see cref="Session"/> is the call's handle; the call's steps
/// follow as <c>session:*</c> events with the same Call-ID.
/// </summary>
public sealed record NewRtcSession(AccountId Account, DateTimeOffset Time, CallSession Session, SipRequest Request) : ConnectionEvent(Account, Time)
{
    public override string Topic => ConnectionTopics.NewRtcSession;

    public string Originator => Session.Originator;

    public string CallId => Session.CallId;
    public string From => Session.From;
    public string To => Session.To;

    protected internal override void WritePayload(Utf8JsonWriter writer)
    {
        writer.WriteString("originator", Originator);
        writer.WriteString("callId", CallId);
        writer.WriteString("from", From);
        writer.WriteString("to", To);
        writer.WriteStartObject("request");
        writer.WriteString("method", Request.MethodName);
        writer.WriteString("requestUri", Request.RequestUriText);
        writer.WriteString("contentType", Request.ContentType);
        writer.WriteString("body", System.Text.Encoding.UTF8.GetString(Request.Body.Span));
        writer.WriteEndObject();
    }

    protected override bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Account = ").Append(Account).Append(", Time = ").Append(Time.ToString("O", System.Globalization.CultureInfo.InvariantCulture))
            .Append(", Originator = ").Append(Originator).Append(", CallId = ").Append(CallId)
            .Append(", From = ").Append(From).Append(", To = ").Append(To)
            .Append(", Request = ").Append(Request.MethodName).Append(' ').Append(Request.RequestUriText);
        return true;
    }
}

/// <summary>A SIP MESSAGE arrived for the account, or the account sent one.</summary>
public sealed record NewMessage(AccountId Account, DateTimeOffset Time, string Originator, string From, string To, string? ContentType, string Body) : ConnectionEvent(Account, Time)
{
    public override string Topic => ConnectionTopics.NewMessage;
    protected internal override void WritePayload(Utf8JsonWriter writer)
    {
        writer.WriteString("originator", Originator);
        writer.WriteString("from", From);
        writer.WriteString("to", To);
        writer.WriteString("contentType", ContentType);
        writer.WriteString("body", Body);
    }
}

/// <summary>
/// An out-of-dialog NOTIFY arrived for the account (answered 200): the Event header's package,
/// id and parameters, the body, and the request itself.
/// </summary>
public sealed record SipEvent(AccountId Account, DateTimeOffset Time, string Event, string? EventId, string? ContentType, string Body) : ConnectionEvent(Account, Time)
{
    public override string Topic => ConnectionTopics.SipEvent;

    /// <summary>Every parameter of the Event header (<c>id</c> included), in order; a parameter without a value has null.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> EventParameters { get; init; } = [];

    /// <summary>The NOTIFY as received (null when the event was made by hand).</summary>
    public SipRequest? Request { get; init; }

    protected internal override void WritePayload(Utf8JsonWriter writer)
    {
        writer.WriteString("event", Event);
        writer.WriteString("eventId", EventId);
        writer.WriteStartObject("eventParams");
        foreach (var (name, value) in EventParameters)
        {
            writer.WriteString(name, value);
        }
        writer.WriteEndObject();
        writer.WriteString("contentType", ContentType);
        writer.WriteString("body", Body);
    }

    protected override bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Account = ").Append(Account).Append(", Time = ").Append(Time.ToString("O", System.Globalization.CultureInfo.InvariantCulture))
            .Append(", Event = ").Append(Event).Append(", EventId = ").Append(EventId)
            .Append(", EventParameters = [").AppendJoin(", ", EventParameters.Select(p => p.Value is null ? p.Key : p.Key + "=" + p.Value)).Append(']')
            .Append(", ContentType = ").Append(ContentType).Append(", Body = ").Append(Body.Length).Append(" chars");
        return true;
    }
}
