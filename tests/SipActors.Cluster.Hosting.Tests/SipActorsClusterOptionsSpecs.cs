using Microsoft.Extensions.Options;
using SipActors.Cluster.Hosting.Tests.Hosts;
using SipActors.Configuration;
using Xunit.Abstractions;

namespace SipActors.Cluster.Hosting.Tests;

/// <summary>Bad cluster settings stop a host before anything connects, naming what to fix.</summary>
public sealed class SipActorsClusterOptionsSpecs(ITestOutputHelper output)
{
    [Fact]
    public async Task Should_refuse_bad_options_naming_each()
    {
        await using var hosts = new ClusteredHosts(output);

        var error = Assert.Throws<OptionsValidationException>(() => hosts.Add("a", [], o => { o.MinNodes = 0; o.Slices = 0; o.Role = " "; }).System);

        Assert.Contains("MinNodes must be at least 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("Slices must be 1..65536", error.Message, StringComparison.Ordinal);
        Assert.Contains("Role must not be blank", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_take_configuration_values_over_the_code()
    {
        await using var hosts = new ClusteredHosts(output);
        var host = hosts.Add("a", [], o => { o.Slices = 30; o.MinNodes = 1; },
            configuration: new Dictionary<string, string?> { ["SipActors:Cluster:Slices"] = "20", ["SipActors:Cluster:MinNodes"] = "2" });

        await host.StartAsync();

        var placement = Assert.IsType<ClusterPlacement>(SipActors.Hosting.Placement.SipActorsPlacementSetup.Of(host.System));
        Assert.Equal(20, placement.Accounts.Settings.Slices);
        Assert.Equal(2, placement.Options.MinNodes);
        Assert.Equal(30, placement.CodeOptions.Slices);
    }

    [Fact]
    public async Task Should_fail_start_up_on_a_bad_configuration_value_naming_its_key()
    {
        await using var hosts = new ClusteredHosts(output);
        var host = hosts.Add("a", [], o => o.Slices = 30, configuration: new Dictionary<string, string?> { ["SipActors:Cluster:MinNodes"] = "0" });

        var error = await Assert.ThrowsAnyAsync<Exception>(host.StartAsync);

        Assert.Contains("SipActors:Cluster:MinNodes must be at least 1", error.GetBaseException().Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_fail_start_up_of_a_hosting_node_without_the_role_naming_it()
    {
        await using var hosts = new ClusteredHosts(output);
        var host = hosts.Add("a", [], o => o.Slices = 30, roles: ["backend"]);

        var error = await Assert.ThrowsAnyAsync<Exception>(host.StartAsync);

        var configuration = Assert.IsType<SipActorsConfigurationException>(error.GetBaseException());
        Assert.Contains("akka.cluster.roles", configuration.Message, StringComparison.Ordinal);
        Assert.Contains("'sip-accounts'", configuration.Message, StringComparison.Ordinal);
    }
}
