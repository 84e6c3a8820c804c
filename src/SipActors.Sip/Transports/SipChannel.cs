using System.Net;

namespace SipActors.Sip.Transports;

/// <summary>
/// A path for messages between us and one peer: a destination on a shared UDP socket, or one
/// TCP/TLS/WebSocket connection. Connection-oriented channels report their loss exactly once.
/// </summary>
public abstract class SipChannel
{
    private int _closed;

    public abstract SipTransportKind Kind { get; }

    public bool IsReliable => Kind.IsReliable();

    /// <summary>Our address as the peer sees the socket (what goes into Via sent-by and Contact before NAT discovery).</summary>
    public abstract IPEndPoint LocalEndPoint { get; }

    public abstract IPEndPoint RemoteEndPoint { get; }

    /// <summary>
    /// An IPv4 address seen through a dual-mode socket (<c>::ffff:127.0.0.1</c>) as the IPv4
    /// address it is: a Contact or Via of <c>[::ffff:127.0.0.1]</c> is an IPv6 literal that an
    /// IPv4-only peer cannot use.
    /// </summary>
    protected static IPEndPoint Unmapped(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        return endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;
    }

    /// <summary>True once the channel can no longer carry messages.</summary>
    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Raised once when the channel is lost or closed, with the error if it failed.</summary>
    public event Action<SipChannel, Exception?>? Closed;

    /// <summary>Sends one serialized message. Throws <see cref="SipTransportException"/> when the channel cannot carry it.</summary>
    public abstract ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default);

    /// <summary>Marks the channel closed and raises <see cref="Closed"/>, once however many paths report the loss.</summary>
    protected void OnClosed(Exception? error)
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            Closed?.Invoke(this, error);
        }
    }

    public override string ToString() => $"{Kind.ViaToken()} {LocalEndPoint} -> {RemoteEndPoint}";
}
