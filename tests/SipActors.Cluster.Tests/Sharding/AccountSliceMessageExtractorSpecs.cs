using SipActors.Cluster.Sharding;
using SipActors.Connections;

namespace SipActors.Cluster.Tests.Sharding;

public sealed class AccountSliceMessageExtractorSpecs
{
    private readonly AccountSliceMessageExtractor _extractor = new(new AccountMessageExtractor(30));

    [Fact]
    public void Should_send_an_account_message_to_the_entity_and_shard_of_its_slice()
    {
        var message = new GetState("alice");
        var slice = AccountMessageExtractor.SliceName(_extractor.Accounts.SliceOf("alice"));

        Assert.Equal((slice, slice), (_extractor.EntityId(message), _extractor.ShardId(message)));
        Assert.Equal(slice, _extractor.Accounts.ShardId(message));
        Assert.Equal(slice, _extractor.ShardId(slice));
        Assert.Same(message, _extractor.EntityMessage(message));
    }

    [Fact]
    public void Should_route_nothing_that_is_not_for_an_account()
        => Assert.Null(_extractor.EntityId("hello"));

    [Theory]
    [InlineData("slice-0", 0)]
    [InlineData("slice-29", 29)]
    [InlineData("slice-x", -1)]
    [InlineData("slice--1", -1)]
    [InlineData("alice", -1)]
    public void Should_read_the_slice_number_of_an_entity(string entityId, int expected)
    {
        var parsed = AccountSliceMessageExtractor.TryParseSlice(entityId, out var slice);

        Assert.Equal(expected >= 0, parsed);
        if (parsed)
        {
            Assert.Equal(expected, slice);
        }
    }
}
