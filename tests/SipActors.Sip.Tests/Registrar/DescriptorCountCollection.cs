namespace SipActors.Sip.Tests.Registrar;

/// <summary>Counts this process's descriptors: run alone, so that no other test opens or closes any meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DescriptorCountCollection
{
    public const string Name = "descriptor count";
}
