namespace SipActors.Sip.Transports;

/// <summary>Where transports deliver what they receive: the transaction layer. Called concurrently from receive loops; must not block.</summary>
public interface ISipMessageSink
{
    /// <summary>A parsed message and the channel it came on (a reply goes back on it).</summary>
    void OnMessage(SipMessage message, SipChannel channel);

    /// <summary>Bytes that were not a SIP message; counted and dropped (a stream channel closes after this).</summary>
    void OnMalformed(SipParseException error, SipChannel channel);
}
