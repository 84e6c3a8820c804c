using Akka.Configuration;
using SipActors.Cli.Calls;
using SipActors.Configuration;

namespace SipActors.Cli.Tests.Calls;

/// <summary>A calls run reads the shared UDP socket with at least 4 threads, unless its --config names the number.</summary>
public sealed class CallsReceiveThreadsSpecs
{
    [Fact]
    public void Should_use_four_receive_threads_when_the_config_names_none()
    {
        Assert.Equal(4, CallsRunner.ReceiveThreads(null, SipActorsSettings.Create()));
        var other = ConfigurationFactory.ParseString("sip-actors.transport.udp.server-check-timeout = 30s");
        Assert.Equal(4, CallsRunner.ReceiveThreads(other, SipActorsSettings.Create(other)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(8)]
    public void Should_keep_the_receive_threads_the_config_names(int threads)
    {
        var config = ConfigurationFactory.ParseString($"sip-actors.transport.udp.receive-threads = {threads}");

        Assert.Equal(threads, CallsRunner.ReceiveThreads(config, SipActorsSettings.Create(config)));
    }
}
