using System.Globalization;
using SipActors.IntegrationTests.Peers;

namespace SipActors.IntegrationTests.Cluster;

/// <summary>
/// <c>sipactors events</c> as a real process stopped by SIGTERM: Akka's own shutdown hook stops its
/// actor system first, and the observer still ends with its summary and exit code 0.
/// </summary>
public sealed class EventsProcessSpecs : IAsyncLifetime
{
    private readonly KamailioFixture _kamailio = new();

    public Task InitializeAsync() => _kamailio.InitializeAsync();

    public Task DisposeAsync() => _kamailio.DisposeAsync();

    [Fact]
    public async Task Should_end_with_its_summary_and_exit_0_on_sigterm()
    {
        await using var lab = new ClusterLab(_kamailio, slices: 4);
        await lab.StartNodeAsync();
        await lab.StartObserverAsync();

        var (code, output) = await ExternalTools.RunAsync("/bin/kill", ["-TERM", lab.Observer!.Id.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5));
        Assert.True(code == 0, output);
        var exit = await lab.Observer.WaitForExitAsync(ClusterLab.Bound);

        Assert.True(exit == 0, lab.Describe());
        Assert.Contains(lab.Observer.Error(), l => l.StartsWith("sipactors events: 0 events printed, 0 missing by their sequence numbers", StringComparison.Ordinal));
        Assert.DoesNotContain(lab.Observer.Error(), l => l.Contains("unexpected error", StringComparison.Ordinal));
    }
}
