using System.Collections.Concurrent;
using System.Net;
using SipActors.Sip.Calls;
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
    private readonly Lazy<UdpServerMonitor> _serverMonitor;

    /// <param name="timers">RFC 3261 base timers (T1, T2, T4).</param>
    /// <param name="udpOptions">The shared UDP sockets' settings.</param>
    /// <param name="tls">Certificate checks for TLS and WSS.</param>
    /// <param name="resolver">Turns targets into addresses.</param>
    /// <param name="timeProvider">The clock of the stack's timer wheel (retransmissions, server checks, keep-alives); tests pass a fake one.</param>
    public SipStack(SipTimerSettings? timers = null, UdpTransportOptions? udpOptions = null, TlsOptions? tls = null, SipTargetResolver? resolver = null,
        TimeProvider? timeProvider = null)
    {
        Resolver = resolver ?? new SipTargetResolver();
        TimeProvider = timeProvider ?? TimeProvider.System;
        Wheel = new SipTimerWheel(timeProvider: TimeProvider);
        Transactions = new SipTransactionLayer(Wheel, timers);
        Dialogs = new SipDialogTable();
        Directory = new SipUserAgentDirectory(Transactions) { Dialogs = Dialogs };
        _udpOptions = udpOptions ?? new UdpTransportOptions();
        Tls = tls ?? TlsOptions.Default;
        // Made on first use, when the init-only options below are set.
        _serverMonitor = new Lazy<UdpServerMonitor>(() => new UdpServerMonitor(this, UdpServerCheck));
    }

    public SipTimerWheel Wheel { get; }
    public SipTransactionLayer Transactions { get; }
    public SipUserAgentDirectory Directory { get; }

    /// <summary>The dialogs of the stack's calls: in-dialog requests find their call here.</summary>
    public SipDialogTable Dialogs { get; }
    public TlsOptions Tls { get; }

    /// <summary>
    /// How long an answer from a UDP server vouches for it, 5 s by default. A UDP flow counts as
    /// up once the server answered (CONTRACT.md §2); accounts that share a server and connect
    /// within this window take an answer to another account as that proof instead of sending an
    /// OPTIONS each: a third of the transactions of a ramp of ten thousand registrations. Zero
    /// makes every UDP connect send its own OPTIONS.
    /// </summary>
    public TimeSpan UdpServerLivenessWindow { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How a UDP server that stopped answering is noticed (one OPTIONS per silent server, not per account).</summary>
    public UdpServerCheckOptions UdpServerCheck { get; init; } = UdpServerCheckOptions.Default;

    /// <summary>Keep-alives on TCP, TLS, WS and WSS flows (CRLF ping/pong or WebSocket ping frames), started on every connect; 30 s by default.</summary>
    public KeepAliveOptions KeepAlive { get; init; } = KeepAliveOptions.Default;

    /// <summary>
    /// The local address the stack's sockets use; null (the default) binds UDP to loopback for a
    /// loopback server and to any address otherwise, and lets the system pick for connections.
    /// The UDP socket binds it, port included (0: any); TCP, TLS and WebSocket connections bind its
    /// address with a port of their own each. A server of the other address family is reached as
    /// without it.
    /// </summary>
    public IPEndPoint? LocalEndPoint { get; init; }

    /// <summary>The local address for connections to <paramref name="remote"/>, if one was given and it is of the same family.</summary>
    internal IPAddress? LocalAddressFor(System.Net.Sockets.AddressFamily remote)
        => LocalEndPoint is { } local && local.AddressFamily == remote ? local.Address : null;

    /// <summary>The clock of the stack's timer wheel and server checks.</summary>
    public TimeProvider TimeProvider { get; }

    internal UdpServerMonitor ServerMonitor => _serverMonitor.Value;

    /// <summary>OPTIONS probes the server check has sent (one per silent server and interval, not per account).</summary>
    public long UdpServerProbesSent => _serverMonitor.IsValueCreated ? _serverMonitor.Value.ProbesSent : 0;

    /// <summary>Whether the server check found the UDP server at <paramref name="server"/> unreachable (and no answer came since).</summary>
    public bool IsUdpServerUnreachable(IPEndPoint server) => _serverMonitor.IsValueCreated && _serverMonitor.Value.IsUnreachable(server);

    /// <summary>Turns targets into addresses (RFC 3263 SRV when no port is given).</summary>
    public SipTargetResolver Resolver { get; }

    /// <summary>The shared UDP socket for reaching <paramref name="remote"/>: bound to <see cref="LocalEndPoint"/>, else to loopback for a loopback server, else to any address.</summary>
    public UdpTransport GetUdpTransport(IPAddress remote)
    {
        if (LocalEndPoint is { } bound && bound.AddressFamily == remote.AddressFamily)
        {
            // Looked up first: the factory lambdas capture, so GetOrAdd alone made a delegate for every account's connect.
            return _udp.TryGetValue(bound.Address, out var existing) ? existing.Value : AddUdpTransport(bound.Address, bound);
        }
        var local = IPAddress.IsLoopback(remote)
            ? (remote.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback)
            : (remote.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any);
        return _udp.TryGetValue(local, out var shared) ? shared.Value : AddUdpTransport(local, new IPEndPoint(local, 0));
    }

    private UdpTransport AddUdpTransport(IPAddress key, IPEndPoint bindTo)
        => _udp.GetOrAdd(key, _ => new Lazy<UdpTransport>(() => NewUdpTransport(bindTo))).Value;

    private UdpTransport NewUdpTransport(IPEndPoint bindTo)
        => new(bindTo, Transactions, _udpOptions) { DatagramReceived = ServerMonitor.NoteDatagram };

    /// <summary>Notes that the UDP server at <paramref name="server"/> answered a request just now.</summary>
    public void NoteUdpServerAnswered(IPEndPoint server) => ServerMonitor.NoteAnswered(server);

    /// <summary>Whether the UDP server at <paramref name="server"/> answered within <see cref="UdpServerLivenessWindow"/>.</summary>
    public bool UdpServerAnsweredRecently(IPEndPoint server) => UdpServerAnsweredWithin(server, UdpServerLivenessWindow);

    internal bool UdpServerAnsweredWithin(IPEndPoint server, TimeSpan window) => window > TimeSpan.Zero && ServerMonitor.AnsweredWithin(server, window);

    public async ValueTask DisposeAsync()
    {
        if (_serverMonitor.IsValueCreated)
        {
            await _serverMonitor.Value.DisposeAsync().ConfigureAwait(false);
        }
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
