using Akka.Util;

namespace SipActors.Connections;

/// <summary>
/// How a message finds its account, the one routing rule for every host: the local supervisor
/// names each account's actor by <see cref="EntityId"/>, and a cluster's shard region (which wraps
/// this in Akka's <c>IMessageExtractor</c>) places accounts in slices by <see cref="ShardId"/>. The
/// slice comes from a stable hash of the id (MurmurHash, as Akka's <c>HashCodeMessageExtractor</c>
/// uses): never <see cref="string.GetHashCode()"/>, which differs from one process to the next.
/// </summary>
public sealed class AccountMessageExtractor
{
    public AccountMessageExtractor(int slices)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slices, 1);
        Slices = slices;
    }

    /// <summary>How many slices the accounts are spread over (a shard entity hosts one slice).</summary>
    public int Slices { get; }

    /// <summary>The actor name of the account a message is for, or null when it is for no account.</summary>
    public static string? EntityId(object message) => message is IWithAccountId m ? m.Account.ToActorName() : null;

    /// <summary>The message as the account receives it (unchanged: commands carry their own account id).</summary>
    public static object EntityMessage(object message) => message;

    /// <summary>The slice of the account a message is for, or null when it is for no account.</summary>
    public string? ShardId(object message) => message is IWithAccountId m ? SliceName(SliceOf(m.Account)) : null;

    /// <summary>The slice of <paramref name="account"/>: the same in every process and on every run.</summary>
    public int SliceOf(AccountId account) => (int)((uint)MurmurHash.StringHash(account.Value) % (uint)Slices);

    public static string SliceName(int slice) => "slice-" + slice.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
