namespace SipActors.Sip;

/// <summary>The transports a user agent can use (RFC 3261 §18, RFC 7118 for WebSocket).</summary>
public enum SipTransportKind
{
    Udp,
    Tcp,
    Tls,
    Ws,
    Wss,
}
