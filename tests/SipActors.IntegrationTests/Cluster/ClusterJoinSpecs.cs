using System.Globalization;
using SipActors.Connections;
using SipActors.IntegrationTests.Peers;
using Xunit.Abstractions;

namespace SipActors.IntegrationTests.Cluster;

/// <summary>
/// A node that joins a running test takes its share slowly: with rebalancing capped at one slice
/// per 30 s, the accounts of at most two slices re-register in the 55 s after a fourth node joins
/// three that hold 300 registered accounts. Counted at Kamailio, in REGISTER requests.
/// </summary>
public sealed class ClusterJoinSpecs : IAsyncLifetime
{
    private const int Accounts = 300;
    private const int Slices = 30;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(55);
    private readonly KamailioFixture _kamailio = new();
    private readonly ITestOutputHelper _output;

    public ClusterJoinSpecs(ITestOutputHelper output) => _output = output;

    public Task InitializeAsync() => _kamailio.InitializeAsync();

    public Task DisposeAsync() => _kamailio.DisposeAsync();

    [Fact]
    public async Task Should_not_make_the_accounts_register_again_at_once_when_a_node_joins_a_running_test()
    {
        await using var lab = new ClusterLab(_kamailio, Slices);
        for (var i = 0; i < 3; i++)
        {
            await lab.StartNodeAsync();
        }
        var reportPath = Path.Combine(_kamailio.RunDirectory, "report.json");
        var load = lab.StartLoad(3, Accounts, reportPath, "--no-unregister");
        Assert.True(await load.WaitForExitAsync(TimeSpan.FromSeconds(120)) == 0, lab.Describe());
        Assert.Equal(Accounts, await _kamailio.GetRegisteredUsersAsync());
        var before = await KamailioRegisterCount.GetAsync(_kamailio);

        await lab.StartNodeAsync();
        await Task.Delay(Window); // at most two rebalance rounds (30 s apart) of one slice each
        var sent = await KamailioRegisterCount.GetAsync(_kamailio) - before;

        // A moved account costs at most four REGISTERs: its un-REGISTER and its new REGISTER, each challenged once.
        var extractor = new AccountMessageExtractor(Slices);
        var largestTwo = Enumerable.Range(0, Accounts).Select(i => extractor.SliceOf(new AccountId(string.Create(CultureInfo.InvariantCulture, $"user{i:D4}"))))
            .GroupBy(s => s).Select(g => g.Count()).OrderDescending().Take(2).Sum();
        _output.WriteLine($"{sent} REGISTER requests in the {Window.TotalSeconds:0} s after the fourth node joined (bound {4 * largestTwo}: two slices of {largestTwo} accounts)");
        Assert.True(sent <= 4 * largestTwo, $"{sent} REGISTERs after the join, more than two slices' worth ({largestTwo} accounts)\n{lab.Describe()}");
        // A slice may be between its un-REGISTERs and its new REGISTERs right now: each account is back soon after.
        var deadline = DateTime.UtcNow + ClusterLab.Bound;
        while (await _kamailio.GetRegisteredUsersAsync() is var users && users != Accounts)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{users} of {Accounts} accounts registered at Kamailio\n{lab.Describe()}");
            await Task.Delay(500);
        }
    }
}
