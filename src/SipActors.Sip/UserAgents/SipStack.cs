using System.Collections.Concurrent;
using System.Net;
using SipActors.Sip.Timers;
using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;

namespace SipActors.Sip.UserAgents;

/// <summary>
/// What every account of a process shares: one timer wheel, one transaction layer, one directory
/// of accounts for incoming requests, and one UDP socket per local address.
/// </summary>
public sealed class SipStack : IAsyncDisposable
{
    private readonly ConcurrentDictionary<IPAddress, Lazy<UdpTransport>> _udp = new();
    private readonly UdpTransportOptions _udpOptions;

    public SipStack(SipTimerSettings? timers = null, UdpTransportOptions? udpOptions = null, TlsOptions? tls = null, SipTargetResolver? resolver = null)
    {
        Resolver = resolver ?? new SipTargetResolver();
        Wheel = new SipTimerWheel();
        Transactions = new SipTransactionLayer(Wheel, timers);
        Directory = new SipUserAgentDirectory(Transactions);
        _udpOptions = udpOptions ?? new UdpTransportOptions();
        Tls = tls ?? TlsOptions.Default;
    }

    public SipTimerWheel Wheel { get; }
    public SipTransactionLayer Transactions { get; }
    public SipUserAgentDirectory Directory { get; }
    public TlsOptions Tls { get; }

    /// <summary>Turns targets into addresses (RFC 3263 SRV when no port is given).</summary>
    public SipTargetResolver Resolver { get; }

    /// <summary>The shared UDP socket for reaching <paramref name="remote"/>: bound to loopback for a loopback server, else to any address.</summary>
    public UdpTransport GetUdpTransport(IPAddress remote)
    {
        var local = IPAddress.IsLoopback(remote)
            ? (remote.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback)
            : (remote.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any);
        return _udp.GetOrAdd(local, address => new Lazy<UdpTransport>(() => new UdpTransport(new IPEndPoint(address, 0), Transactions, _udpOptions))).Value;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var transport in _udp.Values)
        {
            if (transport.IsValueCreated)
            {
                await transport.Value.DisposeAsync().ConfigureAwait(false);
            }
        }
        Wheel.Dispose();
    }
}
