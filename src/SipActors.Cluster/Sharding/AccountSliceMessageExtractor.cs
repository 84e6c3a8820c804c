using Akka.Cluster.Sharding;
using SipActors.Connections;

namespace SipActors.Cluster.Sharding;

/// <summary>
/// The shard region's routing: an account's message goes to the entity of its slice
/// (<c>slice-k</c> from <see cref="AccountMessageExtractor.SliceOf"/>, a stable MurmurHash), and
/// each slice is its own shard, so a shard moves exactly one slice with its accounts. The message
/// reaches the slice unchanged; the slice hands it to the account's child. (Sharding's own
/// StartEntity and ShardingEnvelope are handled by Akka before an extractor sees them.)
/// </summary>
public sealed class AccountSliceMessageExtractor(AccountMessageExtractor accounts) : IMessageExtractor
{
    public AccountMessageExtractor Accounts { get; } = accounts ?? throw new ArgumentNullException(nameof(accounts));

    public string? EntityId(object message) => message switch
    {
        IWithAccountId m => AccountMessageExtractor.SliceName(Accounts.SliceOf(m.Account)),
        _ => null,
    };

    public object? EntityMessage(object message) => message;

    public string? ShardId(object message) => EntityId(message);

    /// <summary>One slice per shard: the shard of a slice is the slice.</summary>
    public string ShardId(string entityId, object? messageHint = null) => entityId;

    /// <summary>The slice number of an entity id <c>slice-k</c>; false for any other name.</summary>
    public static bool TryParseSlice(string entityId, out int slice)
    {
        slice = -1;
        return entityId.StartsWith("slice-", StringComparison.Ordinal)
            && int.TryParse(entityId.AsSpan(6), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out slice);
    }
}
