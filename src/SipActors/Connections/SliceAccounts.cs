using Akka.Actor;

namespace SipActors.Connections;

/// <summary>A <see cref="LocalAccountSlice"/>'s answer to <see cref="ListSliceAccounts"/>: the accounts it holds now.</summary>
internal sealed record SliceAccounts(IReadOnlyList<IActorRef> Accounts);
