// Each cluster spec runs three ActorSystems and an embedded registrar on two shared cores: one
// class at a time keeps failure detection and SBR timings what the tests assume.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
