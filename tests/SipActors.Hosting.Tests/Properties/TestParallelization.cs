// Each test starts a host with a SIP stack and an embedded registrar on loopback; one at a time
// keeps a 2-core CI machine from turning timeouts into flakes.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
