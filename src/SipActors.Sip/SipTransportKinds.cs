namespace SipActors.Sip;

/// <summary>How each transport is spelled in Via, in URI parameters and in URL schemes.</summary>
public static class SipTransportKinds
{
    /// <summary>The Via transport token: UDP, TCP, TLS, WS, WSS.</summary>
    public static string ViaToken(this SipTransportKind kind) => kind switch
    {
        SipTransportKind.Udp => "UDP",
        SipTransportKind.Tcp => "TCP",
        SipTransportKind.Tls => "TLS",
        SipTransportKind.Ws => "WS",
        SipTransportKind.Wss => "WSS",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The <c>;transport=</c> URI parameter value (TLS is spelled tls here and sips: is not implied).</summary>
    public static string UriParameter(this SipTransportKind kind) => kind switch
    {
        // Constants, not ViaToken lowered: every account's Contact and every connecting event asked for it.
        SipTransportKind.Udp => "udp",
        SipTransportKind.Tcp => "tcp",
        SipTransportKind.Tls => "tls",
        SipTransportKind.Ws => "ws",
        SipTransportKind.Wss => "wss",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>True for transports that deliver in order and without loss, so no retransmission is needed (RFC 3261 §17.1.1.2).</summary>
    public static bool IsReliable(this SipTransportKind kind) => kind != SipTransportKind.Udp;

    /// <summary>The default port of the transport: 5060, 5061 for TLS; WebSocket URLs carry their own.</summary>
    public static int DefaultPort(this SipTransportKind kind) => kind switch
    {
        SipTransportKind.Tls => 5061,
        SipTransportKind.Ws => 80,
        SipTransportKind.Wss => 443,
        _ => 5060,
    };
}
