using SipActors.Connections;

namespace SipActors.Calls;

// Call commands (CONTRACT.md §4). Each is answered with a CommandResult; those naming a call are
// routed by the account to the call's session actor, or answered Failed when it has no such call.

/// <summary>
/// Places a call to <paramref name="Target"/> (a sip:/sips: URI) through the account's server,
/// offering <paramref name="Sdp"/> (a minimal inactive offer when null). Answered once the INVITE
/// is on its way, with <see cref="CommandResult.Session"/> set; the call's progress follows as
/// <c>session:*</c> events. Fails when the account is not connected.
/// </summary>
public sealed record Call(AccountId Account, string Target, string? Sdp = null) : IWithAccountId;

/// <summary>Answers an incoming call (200 OK) with <paramref name="Sdp"/>, or the account's answer SDP, or a minimal inactive one.</summary>
public sealed record Answer(AccountId Account, string CallId, string? Sdp = null) : IWithAccountId;

/// <summary>Rejects an unanswered incoming call with a final status, 486 Busy Here by default.</summary>
public sealed record Reject(AccountId Account, string CallId, int StatusCode = 486) : IWithAccountId;

/// <summary>
/// Ends a call however far it got: CANCEL for an unanswered outgoing call, 480 for an unanswered
/// incoming one, BYE once answered. <see cref="CommandStatus.NoOp"/> when the call already ended.
/// </summary>
public sealed record HangUp(AccountId Account, string CallId) : IWithAccountId;

/// <summary>Asks for the account's calls that have not ended, answered with <see cref="CallsResult"/>.</summary>
public sealed record GetCalls(AccountId Account) : IWithAccountId;

public sealed record CallsResult(AccountId Account, IReadOnlyList<CallSession> Calls);
