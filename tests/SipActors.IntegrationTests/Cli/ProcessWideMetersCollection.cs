namespace SipActors.IntegrationTests.Cli;

/// <summary>
/// Tests that read the process-wide <c>SipActors</c> meter (a load run's REGISTER and response
/// counts): run alone, so that no other test's accounts count into them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideMetersCollection
{
    public const string Name = "process-wide meters";
}
