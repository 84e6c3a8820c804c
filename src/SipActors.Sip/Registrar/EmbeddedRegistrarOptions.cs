using System.Net;

namespace SipActors.Sip.Registrar;

/// <summary>Settings of the in-process test registrar.</summary>
public sealed class EmbeddedRegistrarOptions
{
    /// <summary>Where the UDP listener binds; loopback only. Port 0 picks a free port.</summary>
    public IPEndPoint UdpEndPoint { get; set; } = new(IPAddress.Loopback, 0);

    /// <summary>Where the TCP listener binds (loopback only), or null for none. Port 0 picks a free port.</summary>
    public IPEndPoint? TcpEndPoint { get; set; }

    /// <summary>Where the WebSocket (RFC 7118, plain WS) listener binds (loopback only), or null for none.</summary>
    public IPEndPoint? WsEndPoint { get; set; }

    /// <summary>The digest realm, "sipactors" by default.</summary>
    public string Realm { get; set; } = "sipactors";

    /// <summary>The password of a user, or null to refuse the user (403). Default: any user, password "pw-" + user.</summary>
    public Func<string, string?> PasswordRule { get; set; } = static user => "pw-" + user;

    /// <summary>Shortest binding accepted (423 below it), 5 s by default so refresh tests stay short.</summary>
    public int MinExpires { get; set; } = 5;

    /// <summary>Longest binding granted; longer requests are cut to it. 3600 s by default.</summary>
    public int MaxExpires { get; set; } = 3600;

    /// <summary>How long a nonce stays valid before a request using it gets <c>stale=true</c>, 300 s by default.</summary>
    public TimeSpan NonceLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The clock; tests pass a fake one.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Delay before the 200 to a REGISTER that changed bindings, zero by default: a slow server
    /// that saves the binding and answers later, for tests and demos of clients under latency.
    /// </summary>
    public TimeSpan RegisterResponseDelay { get; set; }

    /// <summary>Limits on TCP and WS connections: how many at once, idle and incomplete-message timeouts.</summary>
    public RegistrarLimits Limits { get; set; } = new();

    /// <summary>
    /// Challenge the sender of every request it relays (407, Proxy-Authorization, the same password
    /// rule), as a proxy guarding its users would. Off by default.
    /// </summary>
    public bool AuthenticateRelayedRequests { get; set; }
}
