using SipActors.Configuration;
using SipActors.Sip.Transports;
using SipActors.Sip.UserAgents;

namespace SipActors.Cli;

/// <summary>The process's <see cref="SipStack"/> built from the <c>sip-actors</c> settings (timers, UDP socket options).</summary>
internal static class SipStackFactory
{
    public static SipStack Create(SipActorsSettings settings)
        => new(settings.Timers, new UdpTransportOptions
        {
            ReceiveBufferSize = settings.UdpReceiveBufferSize,
            ReceiveThreads = settings.UdpReceiveThreads,
        })
        {
            UdpServerCheck = settings.UdpServerCheck,
            KeepAlive = settings.KeepAlive,
        };
}
