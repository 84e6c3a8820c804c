using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using SipActors.Configuration;

namespace SipActors.Cluster.Tests;

/// <summary>The choices the cluster mode depends on, as shipped in cluster.hocon and set in code.</summary>
public sealed class ClusterConfigurationSpecs
{
    [Fact]
    public void Should_ship_ddata_sharding_without_durable_keys_and_keep_majority()
    {
        var config = SipClusterConfig.Defaults;

        Assert.Equal("cluster", config.GetString("akka.actor.provider"));
        Assert.Equal("ddata", config.GetString("akka.cluster.sharding.state-store-mode"));
        Assert.Equal("ddata", config.GetString("akka.cluster.sharding.remember-entities-store"));
        Assert.True(config.GetBoolean("akka.cluster.sharding.remember-entities"));
        Assert.Empty(config.GetStringList("akka.cluster.sharding.distributed-data.durable.keys"));
        Assert.Equal("off", config.GetString("akka.cluster.sharding.passivate-idle-entity-after"));
        Assert.Equal(1, config.GetInt("akka.cluster.sharding.least-shard-allocation-strategy.rebalance-absolute-limit"));
        Assert.Contains("SplitBrainResolverProvider", config.GetString("akka.cluster.downing-provider-class"), StringComparison.Ordinal);
        Assert.Equal("keep-majority", config.GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.Equal(TimeSpan.FromSeconds(5), config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
        // SipActors' own defaults come along (the accounts' mailbox among them).
        Assert.Equal(2000, config.GetInt("sip-actors.connect-rate-limit"));
        Assert.True(config.HasPath("sip-actors.account-mailbox.mailbox-type"));
    }

    [Fact]
    public void Should_know_the_pub_sub_and_ddata_serializers_before_their_extensions_start()
    {
        // A node receives the others' pub/sub and Distributed Data gossip (serializer ids 9 and 12)
        // as soon as it joins, before anything of its own has started those extensions: without the
        // bindings in its config it logged "Could not find any internal Akka.NET serializer with Id
        // [9]" (a joining node) or "[12]" (the events observer) and dropped the messages.
        var config = SipClusterConfig.Defaults;

        Assert.Equal(9, config.GetInt("akka.actor.serialization-identifiers.\"Akka.Cluster.Tools.PublishSubscribe.Serialization.DistributedPubSubMessageSerializer, Akka.Cluster.Tools\""));
        Assert.Equal(12, config.GetInt("akka.actor.serialization-identifiers.\"Akka.DistributedData.Serialization.ReplicatorMessageSerializer, Akka.DistributedData\""));
    }

    [Fact]
    public async Task Should_set_the_ddata_stores_and_no_passivation_in_code_whatever_the_hocon_says()
    {
        var hocon = ConfigurationFactory.ParseString("""
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
            akka.cluster.sharding { state-store-mode = persistence, remember-entities = off, passivate-idle-entity-after = 120s }
            """).WithFallback(SipClusterConfig.Defaults);
        using var system = ActorSystem.Create("settings", hocon);
        try
        {
            var settings = ClusterAccounts.ShardingSettings(system, ClusterAccountsSettings.Create(hocon));

            Assert.Equal(StateStoreMode.DData, settings.StateStoreMode);
            Assert.Equal(RememberEntitiesStore.DData, settings.RememberEntitiesStore);
            Assert.True(settings.RememberEntities);
            Assert.Equal(TimeSpan.Zero, settings.PassivateIdleEntityAfter);
            Assert.Equal("sip-accounts", settings.Role);
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Fact]
    public void Should_read_the_cluster_section_and_the_node_rate()
    {
        var settings = ClusterAccountsSettings.Create(ConfigurationFactory.ParseString("""
            sip-actors.cluster { slices = 64, role = generators }
            sip-actors.connect-rate-limit = 150
            """));

        Assert.Equal((64, "generators", 150.0), (settings.Slices, settings.Role, settings.Node.ConnectRateLimit));
    }

    [Theory]
    [InlineData("sip-actors.cluster.slices = 0", "sip-actors.cluster.slices")]
    [InlineData("sip-actors.cluster.hand-off-timeout = 90s", "sip-actors.cluster.hand-off-timeout")]
    [InlineData("sip-actors.cluster.type-name = \"\"", "sip-actors.cluster.type-name")]
    public void Should_name_the_key_of_a_bad_setting(string hocon, string key)
    {
        var error = Assert.Throws<SipActorsConfigurationException>(() => ClusterAccountsSettings.Create(ConfigurationFactory.ParseString(hocon)));

        Assert.Equal(key, error.Key);
    }
}
