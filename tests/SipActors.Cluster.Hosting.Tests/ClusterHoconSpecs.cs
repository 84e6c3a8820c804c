using SipActors.Cluster.Hosting.Tests.Hosts;
using Xunit.Abstractions;

namespace SipActors.Cluster.Hosting.Tests;

/// <summary>The HOCON a clustered host ends up with: SipActors' cluster choices must survive the reference defaults WithClustering adds.</summary>
public sealed class ClusterHoconSpecs(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Should_keep_the_cluster_choices_of_sipactors_whatever_the_order_of_the_calls(bool clusterFirst)
    {
        await using var hosts = new ClusteredHosts(output);
        var host = hosts.Add("a", [], o => o.Slices = 30, clusterFirst);
        var config = host.System.Settings.Config;

        Assert.Empty(config.GetStringList("akka.cluster.sharding.distributed-data.durable.keys"));
        Assert.Equal(1, config.GetInt("akka.cluster.sharding.least-shard-allocation-strategy.rebalance-absolute-limit"));
        Assert.Equal(TimeSpan.FromSeconds(30), config.GetTimeSpan("akka.cluster.sharding.rebalance-interval"));
        Assert.Equal(TimeSpan.FromSeconds(60), config.GetTimeSpan("akka.cluster.sharding.handoff-timeout"));
        Assert.Equal(4L * 1024 * 1024, config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size"));
        Assert.Equal("keep-majority", config.GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.Equal(30, config.GetInt("sip-actors.cluster.slices"));
        Assert.Equal("sip-actors", config.GetString("akka.actor.serialization-bindings.\"SipActors.Cluster.Sharding.PlaceAccount, SipActors.Cluster\""));
    }
}
