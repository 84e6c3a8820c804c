using System.Net;
using SipActors.Sip.Transports;

namespace SipActors.Sip.Tests.Transports;

/// <summary>
/// The shared UDP socket says what receive buffer the kernel kept, so a load run can tell when
/// net.core.rmem_max capped it (Linux keeps min(asked, rmem_max) and reports twice that).
/// </summary>
public sealed class UdpReceiveBufferTests
{
    private sealed class NoSink : ISipMessageSink
    {
        public void OnMessage(SipMessage message, SipChannel channel)
        {
        }

        public void OnMalformed(SipParseException error, SipChannel channel)
        {
        }
    }

    private static async Task<(int Granted, bool Capped)> BindAsync(int asked)
    {
        var udp = new UdpTransport(new IPEndPoint(IPAddress.Loopback, 0), new NoSink(), new UdpTransportOptions { ReceiveBufferSize = asked });
        await using (udp)
        {
            return (udp.ReceiveBufferGranted, udp.ReceiveBufferCapped);
        }
    }

    [Fact]
    public async Task Should_report_a_small_buffer_as_granted_in_full()
    {
        // 64 KiB is below every kernel's limit (Linux's default rmem_max is 208 KiB).
        var (granted, capped) = await BindAsync(64 * 1024);

        Assert.False(capped, $"granted {granted}");
        Assert.True(granted >= 64 * 1024, $"granted {granted}");
    }

    [Fact]
    public async Task Should_report_a_buffer_above_the_kernel_limit_as_capped()
    {
        var (granted, capped) = await BindAsync(1 << 30); // 1 GiB: above any rmem_max a test machine has

        Assert.True(capped, $"granted {granted}");
        if (OperatingSystem.IsLinux())
        {
            // Linux keeps min(asked, net.core.rmem_max) and reports twice that.
            var limit = long.Parse(await File.ReadAllTextAsync("/proc/sys/net/core/rmem_max"), System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(2 * limit, granted);
        }
    }
}
