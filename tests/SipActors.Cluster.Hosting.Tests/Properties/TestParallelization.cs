// Each spec runs several clustered hosts and an embedded registrar on two shared cores: one at a
// time keeps failure detection and hand-over timings what the specs assume.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
