using Akka.Actor;
using SipActors.Cluster.Hosting.Tests.Hosts;
using SipActors.Connections;
using SipActors.Hosting;
using SipActors.Hosting.Placement;
using Xunit.Abstractions;

namespace SipActors.Cluster.Hosting.Tests;

/// <summary>One clustered host: every way an account reaches WithSipActors ends up on the cluster's slices, not on the local supervisor.</summary>
public sealed class SingleHostSpecs(ITestOutputHelper output)
{
    [Fact]
    public async Task Should_put_accounts_of_hocon_options_and_isipaccounts_on_the_slices()
    {
        // Arrange: one account in HOCON sip-actors.accounts, one in the options.
        await using var hosts = new ClusteredHosts(output);
        var registrar = hosts.Registrar;
        var hocon = $$"""
            sip-actors.accounts = [
              { id = hocon-user, sip-server-ip = "{{registrar.Domain}}", sip-server-url = "udp://{{registrar.UdpEndPoint}}",
                register = true, user = hocon-user, password = pw-hocon-user }
            ]
            """;
        var host = hosts.Add("a", hosts.AccountsOf(["options-user"]), o => o.Slices = 30, hocon: hocon);
        await host.StartAsync();

        // Act: a third account added at run time.
        var added = await host.Accounts.AddAccountAsync("added-user", new ConnectionParameters
        {
            SipServerIp = registrar.Domain,
            SipServerUrl = $"udp://{registrar.UdpEndPoint}",
            Register = true,
            User = "added-user",
            Password = "pw-added-user",
        });
        string[] users = ["hocon-user", "options-user", "added-user"];
        await hosts.AllRegisteredFromRunningHostsAsync(users, TimeSpan.FromSeconds(45));

        // Assert: each registered once, counted by the node, none on the local supervisor, in slices this node runs.
        Assert.Equal(CommandStatus.Ok, added.Status);
        Assert.All(users, u => Assert.Equal(1, hosts.Registrations(u)));
        // The node's counts follow the accounts' status messages, which may come just after the registrar's 200.
        await Eventually.HoldsAsync(async () => (await host.Accounts.GetStatusAsync()).Count(ConnectionStatus.Registered) == 3,
            TimeSpan.FromSeconds(10), () => "the node does not count 3 registered accounts");
        var hosted = HostedSipActors.Find(host.System)!;
        Assert.Equal(0, (await hosted.Supervisor.Ask<SupervisorStatus>(GetSupervisorStatus.Instance, TimeSpan.FromSeconds(5))).Accounts);
        var placement = Assert.IsType<ClusterPlacement>(SipActorsPlacementSetup.Of(host.System));
        var slices = await placement.Accounts.GetLocalSlicesAsync(TimeSpan.FromSeconds(5));
        Assert.All(users, u => Assert.Contains(placement.Accounts.Extractor.Accounts.SliceOf(u), slices));
        Assert.Equal(users.Order(), (await host.Accounts.GetAccountsAsync()).Select(a => a.Value).Order());

        // Act and assert: removing one un-registers it and the slice forgets it.
        Assert.Equal(CommandStatus.Ok, (await host.Accounts.RemoveAccountAsync("added-user")).Status);
        await Eventually.HoldsAsync(() => registrar.GetBindings("added-user").Count == 0, TimeSpan.FromSeconds(20), () => "added-user still has a binding");
        Assert.Equal(ConnectionStatus.Disconnected, (await host.Accounts.GetStateAsync("added-user")).Status);
    }
}
