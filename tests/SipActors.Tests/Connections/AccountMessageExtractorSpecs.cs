using SipActors.Connections;

namespace SipActors.Tests.Connections;

/// <summary>One routing rule for every host: actor names from ids, slices from a hash that is the same in every process.</summary>
public sealed class AccountMessageExtractorSpecs
{
    [Fact]
    public void Should_name_the_account_of_a_message_by_its_escaped_id_and_give_it_back()
    {
        var message = new Disconnect("alice smith/2$");

        var name = AccountMessageExtractor.EntityId(message)!;

        Assert.Equal("alice%20smith%2F2%24", name);
        Assert.Equal(new AccountId("alice smith/2$"), AccountId.FromActorName(name));
        Assert.Null(AccountMessageExtractor.EntityId("not an account's message"));
        Assert.Same(message, AccountMessageExtractor.EntityMessage(message));
    }

    [Fact]
    public void Should_place_an_account_in_the_same_slice_in_every_process()
    {
        var extractor = new AccountMessageExtractor(256);

        // Fixed values: a hash that changed between processes or versions would move every account
        // of a running cluster (string.GetHashCode is randomized per process).
        Assert.Equal(extractor.SliceOf("user00001"), extractor.SliceOf(new AccountId("user00001")));
        Assert.Equal(AccountMessageExtractor.SliceName(extractor.SliceOf("user00001")), extractor.ShardId(new GetState("user00001")));
        // Computed once in a separate process (MurmurHash3 of the id, modulo 256).
        Assert.Equal([178, 218, 169], new[] { "user00001", "alice", "a000042" }.Select(id => extractor.SliceOf(id)));
    }

    [Fact]
    public void Should_spread_ten_thousand_accounts_evenly_over_the_slices()
    {
        var extractor = new AccountMessageExtractor(256);

        var perSlice = Enumerable.Range(0, 10_000).GroupBy(i => extractor.SliceOf($"user{i:D5}")).Select(g => g.Count()).ToList();

        Assert.Equal(256, perSlice.Count);
        Assert.InRange(perSlice.Min(), 15, 39); // 39 expected per slice
        Assert.InRange(perSlice.Max(), 39, 70);
    }
}
