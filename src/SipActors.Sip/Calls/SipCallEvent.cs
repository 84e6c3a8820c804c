namespace SipActors.Sip.Calls;

/// <summary>
/// One step of a call, raised through the call's callback. <see cref="Message"/> is the request or
/// response that caused it, when there is one.
/// </summary>
public sealed record SipCallEvent
{
    public required SipCallEventKind Kind { get; init; }

    /// <summary>For <see cref="SipCallEventKind.Ended"/> only.</summary>
    public SipCallEndCause? Cause { get; init; }

    /// <summary>The status of the response behind the event (received, or sent by us), if any.</summary>
    public int? StatusCode { get; init; }

    public string? ReasonPhrase { get; init; }

    /// <summary>True when the peer caused it (its response or request), false when we did.</summary>
    public bool ByRemote { get; init; }

    /// <summary>The peer's SDP as of this event (empty when it sent none).</summary>
    public ReadOnlyMemory<byte> RemoteSdp { get; init; }

    public SipMessage? Message { get; init; }

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Kind = ").Append(Kind);
        if (Cause is { } cause)
        {
            builder.Append(", Cause = ").Append(cause);
        }
        if (StatusCode is { } status)
        {
            builder.Append(", StatusCode = ").Append(status).Append(' ').Append(ReasonPhrase);
        }
        builder.Append(", ByRemote = ").Append(ByRemote).Append(", RemoteSdp = ").Append(RemoteSdp.Length).Append(" bytes");
        return true;
    }
}
