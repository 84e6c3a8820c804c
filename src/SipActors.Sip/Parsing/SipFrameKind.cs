namespace SipActors.Sip.Parsing;

/// <summary>What <see cref="SipStreamFramer.TryRead"/> found at the front of a stream buffer.</summary>
public enum SipFrameKind
{
    /// <summary>Not enough bytes yet; nothing was consumed.</summary>
    NeedMoreData,
    /// <summary>A whole SIP message.</summary>
    Message,
    /// <summary>A double CRLF keep-alive ping (RFC 5626 §4.4.1); a server answers it with a single CRLF.</summary>
    KeepAlivePing,
    /// <summary>A single CRLF: the pong answering our ping (RFC 5626 §4.4.1).</summary>
    KeepAlivePong,
}
