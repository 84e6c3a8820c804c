using System.Globalization;
using System.Net;

namespace SipActors.Cli.Cluster;

/// <summary>
/// A cluster node's HOST:PORT as the command line gives it (<c>--cluster</c>, <c>--seed</c>): an
/// IPv4 address, a bracketed IPv6 address or a host name, and a port. <c>localhost</c> is written
/// as 127.0.0.1, because Akka compares node addresses as text: a seed named <c>localhost</c> would
/// never match a node bound as 127.0.0.1.
/// </summary>
internal readonly record struct ClusterEndpoint(string Host, int Port)
{
    /// <summary>Every node of a sipactors cluster runs an actor system of this name.</summary>
    public const string SystemName = "sipactors";

    /// <summary>The node's Akka address, as seed-nodes lists it.</summary>
    public string AkkaAddress => string.Create(CultureInfo.InvariantCulture, $"akka.tcp://{SystemName}@{(Host.Contains(':', StringComparison.Ordinal) ? "[" + Host + "]" : Host)}:{Port}");

    /// <summary>Whether the host is a loopback address (the default: nothing of a cluster leaves the machine).</summary>
    public bool IsLoopback => IPAddress.TryParse(Host, out var address) && IPAddress.IsLoopback(address);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{(Host.Contains(':', StringComparison.Ordinal) ? "[" + Host + "]" : Host)}:{Port}");

    /// <summary>Parses HOST:PORT; <paramref name="allowAnyPort"/> admits port 0 (a free port, for a node nobody needs to find).</summary>
    public static bool TryParse(string? text, bool allowAnyPort, out ClusterEndpoint endpoint, out string error)
    {
        endpoint = default;
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "is empty: give HOST:PORT, e.g. 127.0.0.1:4053";
            return false;
        }
        string host;
        string port;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0)
            {
                error = "is not [IPv6]:PORT";
                return false;
            }
            host = text[1..close];
            port = text[(close + 2)..];
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                error = "does not hold an IPv6 address in its brackets";
                return false;
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon <= 0 || text.IndexOf(':') != colon)
            {
                error = "is not HOST:PORT (an IPv6 address goes in brackets: [::1]:4053)";
                return false;
            }
            host = text[..colon];
            port = text[(colon + 1)..];
            if (host.AsSpan().IndexOfAny(" \t\r\n\"/@[]") >= 0)
            {
                error = "does not start with a host name or address";
                return false;
            }
        }
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number > 65535 || (number == 0 && !allowAnyPort))
        {
            error = allowAnyPort ? "does not end with a port 0..65535" : "does not end with a port 1..65535";
            return false;
        }
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            host = "127.0.0.1";
        }
        endpoint = new ClusterEndpoint(host, number);
        return true;
    }
}
