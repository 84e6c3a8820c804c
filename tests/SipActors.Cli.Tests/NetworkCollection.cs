namespace SipActors.Cli.Tests;

/// <summary>
/// Tests that register accounts run one at a time: the SipActors meter is process-wide, so a run
/// counting refreshes would also count another run's.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NetworkCollection
{
    public const string Name = "network";
}
