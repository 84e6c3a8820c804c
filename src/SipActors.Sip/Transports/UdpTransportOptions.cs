namespace SipActors.Sip.Transports;

/// <summary>Settings of the shared UDP socket.</summary>
public sealed class UdpTransportOptions
{
    /// <summary>
    /// Kernel receive buffer, 8 MiB by default. The Linux default (~208 KiB) overflows when
    /// thousands of accounts get answers at once, and every dropped answer costs a retransmission
    /// (the kernel may cap it at net.core.rmem_max).
    /// </summary>
    public int ReceiveBufferSize { get; set; } = 8 * 1024 * 1024;

    /// <summary>Kernel send buffer, 4 MiB by default, for bursts of REGISTERs.</summary>
    public int SendBufferSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Threads blocked in a receive on the socket, 2 by default: while one parses and hands over
    /// a datagram, another is already reading the next, and the kernel spreads datagrams over them.
    /// </summary>
    public int ReceiveThreads { get; set; } = 2;

    /// <summary>Parser limits for received datagrams.</summary>
    public SipParserLimits Limits { get; set; } = SipParserLimits.Default;
}
