using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace SipActors.Sip.Transports;

/// <summary>
/// Where an account connects (CONTRACT.md §3 <c>SipServerUrl</c>): <c>udp://</c>, <c>tcp://</c>,
/// <c>tls://</c> host:port, <c>ws://</c> / <c>wss://</c> URLs, a <c>sip:</c>/<c>sips:</c> URI with
/// <c>;transport=</c>, or a bare <c>host[:port]</c>, which means <c>wss://host/webrtc/wss/</c> as in the
/// seed's library.
/// </summary>
public sealed record SipServerTarget(SipTransportKind Kind, string Host, int Port, Uri? WebSocketUri)
{
    /// <summary>False when the port is the transport's default because none was written: then RFC 3263 SRV records decide it.</summary>
    public bool PortGiven { get; init; } = true;

    /// <summary>
    /// Credentials in the server's address would be printed wherever the address is (events,
    /// reports, logs): they are refused, and the error does not repeat them.
    /// </summary>
    private const string CredentialsError = "has credentials (user:password@) in it: give the user and password as the account's User and Password, never in the server's address";

    public static bool TryParse(string? text, [NotNullWhen(true)] out SipServerTarget? target, [NotNullWhen(false)] out string? error)
    {
        target = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "is empty";
            return false;
        }
        text = text.Trim();
        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd > 0)
        {
            var scheme = text[..schemeEnd].ToLowerInvariant();
            SipTransportKind? kind = scheme switch
            {
                "udp" => SipTransportKind.Udp,
                "tcp" => SipTransportKind.Tcp,
                "tls" => SipTransportKind.Tls,
                "ws" => SipTransportKind.Ws,
                "wss" => SipTransportKind.Wss,
                _ => null,
            };
            if (kind is null)
            {
                error = $"has an unknown scheme '{scheme}' (udp, tcp, tls, ws, wss, sip, sips)";
                return false;
            }
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            {
                error = "is not a valid URL";
                return false;
            }
            if (uri.UserInfo.Length > 0)
            {
                error = CredentialsError;
                return false;
            }
            var given = !(uri.IsDefaultPort || uri.Port < 0);
            var port = uri.IsDefaultPort || uri.Port < 0 ? kind.Value.DefaultPort() : uri.Port;
            var isWs = kind is SipTransportKind.Ws or SipTransportKind.Wss;
            target = new SipServerTarget(kind.Value, uri.Host.Trim('[', ']'), port, isWs ? uri : null) { PortGiven = given || isWs };
            return true;
        }
        if (text.StartsWith("sip:", StringComparison.OrdinalIgnoreCase) || text.StartsWith("sips:", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uris.SipUri.TryParse(text, out var sip))
            {
                error = "is not a valid SIP URI";
                return false;
            }
            if (sip.Password is not null)
            {
                error = CredentialsError;
                return false;
            }
            var transport = sip.Transport?.ToLowerInvariant();
            SipTransportKind? kind = (sip.IsSecure, transport) switch
            {
                (true, null or "tcp" or "tls") => SipTransportKind.Tls,
                (true, "ws" or "wss") => SipTransportKind.Wss,
                (false, null or "udp") => SipTransportKind.Udp,
                (false, "tcp") => SipTransportKind.Tcp,
                (false, "tls") => SipTransportKind.Tls,
                (false, "ws") => SipTransportKind.Ws,
                (false, "wss") => SipTransportKind.Wss,
                _ => null,
            };
            if (kind is null)
            {
                error = $"has an unsupported transport '{transport}'";
                return false;
            }
            var host = sip.Host.Trim('[', ']');
            var port = sip.Port ?? kind.Value.DefaultPort();
            var ws = kind is SipTransportKind.Ws or SipTransportKind.Wss
                ? new Uri(string.Create(CultureInfo.InvariantCulture, $"{(kind == SipTransportKind.Ws ? "ws" : "wss")}://{sip.Host}:{port}/"))
                : null;
            target = new SipServerTarget(kind.Value, host, port, ws) { PortGiven = sip.Port is not null || ws is not null };
            return true;
        }
        // A bare host[:port]: the seed library's WebRTC gateway convention.
        if (text.Contains('@'))
        {
            error = CredentialsError;
            return false;
        }
        if (!Uri.TryCreate("wss://" + text + "/webrtc/wss/", UriKind.Absolute, out var bare) || string.IsNullOrEmpty(bare.Host) || text.Contains('/'))
        {
            error = "is neither a URL, a SIP URI nor host[:port]";
            return false;
        }
        target = new SipServerTarget(SipTransportKind.Wss, bare.Host.Trim('[', ']'), bare.Port, bare);
        return true;
    }

    public override string ToString()
    {
        // Accounts of one server share one target (SipTargetResolver), and each connect's events print
        // it twice: the last text made is kept for that same instance, not remade per account.
        var last = s_lastText;
        if (last is not null && ReferenceEquals(last.Item1, this))
        {
            return last.Item2;
        }
        var text = WebSocketUri?.ToString() ?? string.Create(CultureInfo.InvariantCulture, $"{Kind.UriParameter()}://{Host}:{Port}");
        s_lastText = Tuple.Create(this, text);
        return text;
    }

    private static volatile Tuple<SipServerTarget, string>? s_lastText;
}
