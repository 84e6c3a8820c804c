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

    /// <summary>Receives kept in flight on the socket, so a reply never waits for the previous one to be handed over. Default 4.</summary>
    public int ConcurrentReceives { get; set; } = 4;

    /// <summary>Parser limits for received datagrams.</summary>
    public SipParserLimits Limits { get; set; } = SipParserLimits.Default;
}
