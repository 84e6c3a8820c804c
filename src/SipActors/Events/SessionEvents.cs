using System.Text.Json;

namespace SipActors.Events;

// The session:* events, one sealed record per topic, in the order a call can go through them.
// Originator is "local" when this account caused the step, "remote" when the peer did.

/// <summary>180 Ringing: sent by the account (incoming call) or received (outgoing call).</summary>
public sealed record SessionRinging(AccountId Account, DateTimeOffset Time, string CallId, string Originator) : SessionEvent(Account, Time, CallId)
{
    public override string Topic => SessionTopics.Ringing;
    protected internal override void WritePayload(Utf8JsonWriter writer)
    {
        writer.WriteString("callId", CallId);
        writer.WriteString("originator", Originator);
    }
}

/// <summary>Another provisional response (183 Session Progress and the like) to an outgoing call, possibly with early SDP.</summary>
public sealed record SessionProgress(AccountId Account, DateTimeOffset Time, string CallId, int StatusCode, string Reason, string? RemoteSdp) : SessionEvent(Account, Time, CallId)
{
    public override string Topic => SessionTopics.Progress;
    protected internal override void WritePayload(Utf8JsonWriter writer)
    {
        writer.WriteString("callId", CallId);
        writer.WriteNumber("status", StatusCode);
        writer.WriteString("reason", Reason);
        writer.WriteString("remoteSdp", RemoteSdp);
    }
}

/// <summary>A 2xx to the INVITE: sent by the account (it answered) or received (the peer answered). The dialog exists.</summary>
public sealed record SessionAnswered(AccountId Account, DateTimeOffset Time, string CallId, string Originator, string? RemoteSdp) : SessionEvent(Account, Time, CallId)
{
    public override string Topic => SessionTopics.Answered;
    protected internal override void WritePayload(Utf8JsonWriter writer)
    {
        writer.WriteString("callId", CallId);
        writer.WriteString("originator", Originator);
        writer.WriteString("remoteSdp", RemoteSdp);
    }
}

/// <summary>The ACK of the 2xx was sent or received: the call is established.</summary>
public sealed record SessionConfirmed(AccountId Account, DateTimeOffset Time, string CallId, string Originator) : SessionEvent(Account, Time, CallId)
{
    public override string Topic => SessionTopics.Confirmed;
    protected internal override void WritePayload(Utf8JsonWriter writer)
    {
        writer.WriteString("callId", CallId);
        writer.WriteString("originator", Originator);
    }
}

/// <summary>A re-INVITE (either side's) changed the session; <see cref="RemoteSdp"/> is the peer's current SDP.</summary>
public sealed record SessionUpdated(AccountId Account, DateTimeOffset Time, string CallId, string Originator, string? RemoteSdp) : SessionEvent(Account, Time, CallId)
{
    public override string Topic => SessionTopics.Updated;
    protected internal override void WritePayload(Utf8JsonWriter writer)
    {
        writer.WriteString("callId", CallId);
        writer.WriteString("originator", Originator);
        writer.WriteString("remoteSdp", RemoteSdp);
    }
}

/// <summary>
/// The call is over. <see cref="Cause"/> is one of <see cref="SessionEndCauses"/>;
/// <see cref="StatusCode"/> is the final status that ended it, when one did (received, or sent by the account).
/// </summary>
public sealed record SessionEnded(AccountId Account, DateTimeOffset Time, string CallId, string Originator, string Cause, int? StatusCode, string? Reason) : SessionEvent(Account, Time, CallId)
{
    public override string Topic => SessionTopics.Ended;
    protected internal override void WritePayload(Utf8JsonWriter writer)
    {
        writer.WriteString("callId", CallId);
        writer.WriteString("originator", Originator);
        writer.WriteString("cause", Cause);
        ConnectionEventJson.WriteNullableNumber(writer, "status", StatusCode);
        writer.WriteString("reason", Reason);
    }
}
