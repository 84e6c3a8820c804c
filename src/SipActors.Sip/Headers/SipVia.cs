using System.Globalization;
using System.Text;
using SipActors.Sip.Transports;

namespace SipActors.Sip.Headers;

/// <summary>A Via value as text (RFC 3261 §20.42, RFC 3581 rport). For hot paths read <see cref="ViaValue"/> instead.</summary>
public sealed class SipVia
{
    public SipVia(string transport, string host, int? port, string? branch, IEnumerable<KeyValuePair<string, string?>>? parameters = null)
    {
        Transport = transport.ToUpperInvariant();
        Host = host;
        Port = port;
        var list = new List<KeyValuePair<string, string?>>();
        if (branch is not null)
        {
            list.Add(new("branch", branch));
        }
        if (parameters is not null)
        {
            list.AddRange(parameters);
        }
        Parameters = list;
    }

    private SipVia(string transport, string host, int? port, IReadOnlyList<KeyValuePair<string, string?>> parameters)
    {
        Transport = transport;
        Host = host;
        Port = port;
        Parameters = parameters;
    }

    /// <summary>Upper-case transport: UDP, TCP, TLS, SCTP, WS, WSS.</summary>
    public string Transport { get; }
    public string Host { get; }
    public int? Port { get; }
    public IReadOnlyList<KeyValuePair<string, string?>> Parameters { get; }

    public string? Branch => GetParameter("branch");
    public string? Received => GetParameter("received");
    public string? Maddr => GetParameter("maddr");

    /// <summary>True when an <c>rport</c> parameter is present, with or without a value (RFC 3581).</summary>
    public bool HasRPort => HasParameter("rport");

    /// <summary>The <c>rport</c> value filled in by the server, or null when absent or empty.</summary>
    public int? RPort => int.TryParse(GetParameter("rport"), NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : null;

    /// <summary>Our own Via up to the sent-by, <c>SIP/2.0/UDP host:port</c>: built once per flow, so each request only adds its branch.</summary>
    public static string Prefix(SipTransportKind kind, string sentBy) => string.Concat("SIP/2.0/", kind.ViaToken(), " ", sentBy);

    /// <summary>
    /// The top Via of a request we originate, after <see cref="Prefix"/>: a new branch, and an empty
    /// <c>rport</c> so responses come back to the address and port the request left from (RFC 3581 §3), through NATs too.
    /// </summary>
    public static string NewTop(string prefix) => string.Concat(prefix, ";branch=", SipIdentifiers.NewBranch(), ";rport");

    /// <summary>The top Via of a request we originate over <paramref name="kind"/> from <paramref name="sentBy"/>; see <see cref="NewTop(string)"/>.</summary>
    public static string NewTop(SipTransportKind kind, string sentBy) => NewTop(Prefix(kind, sentBy));

    public string? GetParameter(string name) => SipParameters.TryFind(Parameters, name, out var value) ? value : null;

    public bool HasParameter(string name) => SipParameters.TryFind(Parameters, name, out _);

    /// <summary>Reads one Via value; a value that breaks the grammar is a <see cref="SipParseException"/>.</summary>
    public static SipVia Parse(ReadOnlySpan<byte> value)
    {
        if (!ViaValue.TryParse(value, out var via))
        {
            throw SipParseException.Create(SipParseError.InvalidHeaderValue, 0, "Via is not SIP/2.0/<transport> <host>[:<port>][;params]", value);
        }
        return new SipVia(
            Encoding.ASCII.GetString(via.Transport).ToUpperInvariant(),
            Encoding.UTF8.GetString(via.Host),
            via.Port < 0 ? null : via.Port,
            SipParameters.ToList(via.Parameters));
    }

    public override string ToString()
    {
        var sb = new StringBuilder(64).Append("SIP/2.0/").Append(Transport).Append(' ').Append(Host);
        if (Port is { } port)
        {
            sb.Append(':').Append(port.ToString(CultureInfo.InvariantCulture));
        }
        SipParameters.AppendTo(sb, Parameters);
        return sb.ToString();
    }
}
