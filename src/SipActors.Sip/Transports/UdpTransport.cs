using System.Net;
using System.Net.Sockets;

namespace SipActors.Sip.Transports;

/// <summary>
/// One UDP socket shared by every UDP user agent of the process (DESIGN.md: no socket per
/// account). A few dedicated threads per socket (not per account) sit in a blocking receive, the
/// way SIPp and Kamailio read their sockets: compared with async receives this saves, per
/// datagram, the epoll wake-up and the thread-pool hop to the receive continuation, which
/// measured as most of the CPU of a registration. A receive thread only parses and hands over
/// (transactions complete their tasks asynchronously), so it never waits on application work and
/// the kernel buffer drains as fast as replies arrive.
/// </summary>
public sealed class UdpTransport : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly ISipMessageSink _sink;
    private readonly UdpTransportOptions _options;
    private readonly Thread[] _receivers;
    private volatile bool _stopped;
    private readonly SipChannel _responseChannel;
    private long _received;
    private long _malformed;
    private long _sent;
    private long _failed;

    public UdpTransport(IPEndPoint bindTo, ISipMessageSink sink, UdpTransportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bindTo);
        _sink = sink ?? throw new ArgumentNullException(nameof(sink));
        _options = options ?? new UdpTransportOptions();
        _socket = new Socket(bindTo.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            _socket.ReceiveBufferSize = _options.ReceiveBufferSize;
            _socket.SendBufferSize = _options.SendBufferSize;
            _socket.Bind(bindTo);
        }
        catch (SocketException e)
        {
            _socket.Dispose();
            throw new SipTransportException($"cannot bind UDP {bindTo}: {e.Message}", e);
        }
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        ReceiveBufferGranted = _socket.ReceiveBufferSize;
        _responseChannel = UdpChannel.ForResponses(this);
        _receivers = new Thread[Math.Max(1, _options.ReceiveThreads)];
        for (var i = 0; i < _receivers.Length; i++)
        {
            _receivers[i] = new Thread(ReceiveLoop) { IsBackground = true, Name = $"sip-udp-{LocalEndPoint.Port}-{i}" };
            _receivers[i].Start();
        }
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The receive buffer asked for (<see cref="UdpTransportOptions.ReceiveBufferSize"/>).</summary>
    public int ReceiveBufferRequested => _options.ReceiveBufferSize;

    /// <summary>
    /// The receive buffer the kernel reports after the request (SO_RCVBUF). Linux caps the request
    /// at net.core.rmem_max and reports twice what it kept (its bookkeeping share, socket(7)).
    /// </summary>
    public int ReceiveBufferGranted { get; }

    /// <summary>
    /// True when the kernel kept less than was asked (on Linux: less than twice the request, so
    /// net.core.rmem_max capped it): bursts that the asked size would hold overflow, and every
    /// datagram dropped costs a retransmission.
    /// </summary>
    public bool ReceiveBufferCapped => OperatingSystem.IsLinux()
        ? ReceiveBufferGranted < 2L * _options.ReceiveBufferSize
        : ReceiveBufferGranted < _options.ReceiveBufferSize;

    public long DatagramsReceived => Interlocked.Read(ref _received);
    public long DatagramsMalformed => Interlocked.Read(ref _malformed);
    public long DatagramsSent => Interlocked.Read(ref _sent);

    /// <summary>Datagrams whose handling threw (a bug above the transport); the receive thread carries on.</summary>
    public long DatagramsFailed => Interlocked.Read(ref _failed);

    /// <summary>The channel to <paramref name="remote"/> over this socket (cheap: an address and a reference).</summary>
    public SipChannel GetChannel(IPEndPoint remote) => new UdpChannel(this, remote);

    /// <summary>
    /// Sends synchronously: a datagram send only copies into the kernel's buffer, so it does not
    /// wait on the network, and the async SocketAddress overload races when many accounts send on
    /// one socket at once (its cached event args lose the address: "Null is not a valid value for
    /// e.RemoteEndPoint", seen with 10,000 accounts).
    /// </summary>
    internal ValueTask SendAsync(ReadOnlyMemory<byte> datagram, SocketAddress remote, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            _socket.SendTo(datagram.Span, SocketFlags.None, remote);
            Interlocked.Increment(ref _sent);
            return ValueTask.CompletedTask;
        }
        catch (SocketException e)
        {
            return ValueTask.FromException(new SipTransportException($"UDP send from {LocalEndPoint} failed: {e.SocketErrorCode}", e));
        }
        catch (ObjectDisposedException e)
        {
            return ValueTask.FromException(new SipTransportException("the UDP transport is closed", e));
        }
    }

    private void ReceiveLoop()
    {
        var buffer = GC.AllocateUninitializedArray<byte>(65536, pinned: true);
        var address = new SocketAddress(_socket.AddressFamily);
        while (!_stopped)
        {
            int length;
            try
            {
                length = _socket.ReceiveFrom(buffer, SocketFlags.None, address);
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.Interrupted or SocketError.OperationAborted or SocketError.NotSocket or SocketError.Shutdown)
            {
                break;
            }
            catch (SocketException)
            {
                // ICMP errors for an earlier send surface here (port unreachable); the socket is fine.
                continue;
            }
            try
            {
                Deliver(buffer.AsSpan(0, length), address);
            }
#pragma warning disable CA1031 // A receive thread must survive whatever one datagram's handling throws.
            catch (Exception)
#pragma warning restore CA1031
            {
                Interlocked.Increment(ref _failed);
            }
        }
    }

    /// <summary>
    /// Told of every datagram's source before it is parsed (the stack's UDP server check: a server
    /// that sends anything is alive, however late it answers a probe). Called on the receive thread.
    /// </summary>
    internal Action<SocketAddress>? DatagramReceived { get; set; }

    private void Deliver(ReadOnlySpan<byte> datagram, SocketAddress from)
    {
        Interlocked.Increment(ref _received);
        DatagramReceived?.Invoke(from);
        // Keep-alives (CRLF, RFC 5626 §3.5.1 STUN aside) carry no message.
        if (datagram.IndexOfAnyExcept("\r\n"u8) < 0)
        {
            return;
        }
        SipMessage message;
        try
        {
            message = SipMessage.ParseRented(datagram, _options.Limits);
        }
        catch (SipParseException e)
        {
            Interlocked.Increment(ref _malformed);
            _sink.OnMalformed(e, new UdpChannel(this, (IPEndPoint)LocalEndPoint.Create(from)));
            return;
        }
        // Responses are routed by branch and need no channel; build the endpoint only for requests.
        var channel = message.IsRequest ? new UdpChannel(this, (IPEndPoint)LocalEndPoint.Create(from)) : _responseChannel;
        _sink.OnMessage(message, channel);
        if (message.ReadOnce)
        {
            // Its one reader (a registration's answer) is done with it: the arrays go back for the next datagram.
            message.ReturnToPool();
        }
    }

    public ValueTask DisposeAsync()
    {
        _stopped = true;
        // Closing the socket ends the blocking receives (ObjectDisposedException / SocketException).
        _socket.Dispose();
        foreach (var receiver in _receivers)
        {
            if (receiver != Thread.CurrentThread)
            {
                receiver.Join(TimeSpan.FromSeconds(5));
            }
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>A destination on the shared socket.</summary>
    private sealed class UdpChannel : SipChannel
    {
        private readonly UdpTransport _transport;
        private readonly SocketAddress _remote;

        public UdpChannel(UdpTransport transport, IPEndPoint remote)
        {
            _transport = transport;
            RemoteEndPoint = remote;
            _remote = remote.Serialize();
        }

        private UdpChannel(UdpTransport transport)
        {
            _transport = transport;
            RemoteEndPoint = new IPEndPoint(IPAddress.None, 0);
            _remote = RemoteEndPoint.Serialize();
        }

        /// <summary>Stands for "this socket" where a response needs no return address.</summary>
        public static UdpChannel ForResponses(UdpTransport transport) => new(transport);

        public override SipTransportKind Kind => SipTransportKind.Udp;
        public override IPEndPoint LocalEndPoint => _transport.LocalEndPoint;
        public override IPEndPoint RemoteEndPoint { get; }

        public override ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
            => _transport.SendAsync(message, _remote, cancellationToken);
    }
}
