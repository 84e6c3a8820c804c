using SipActors.Calls;
using SipActors.Connections;

namespace SipActors.Hosting;

/// <summary>
/// The accounts of <c>WithSipActors</c> for code outside actors. Every call asks the supervisor
/// (never blocking a thread) and waits at most its timeout (<see cref="SipActorsOptions.CommandTimeout"/>
/// when null), then throws <see cref="TimeoutException"/> naming the command and account.
/// Commands answer with a <see cref="CommandResult"/> (Ok, NoOp, Superseded or Failed) rather than
/// throwing for SIP-level failures. Calls are placed, answered, rejected and hung up here; their
/// progress is published as <c>session:*</c> events (subscribe through <see cref="Events.ISipEvents"/>),
/// and an incoming call first as <c>connection:newRTCSession</c>.
/// In a clustered host (SipActors.Cluster.Hosting's <c>WithSipActorsCluster</c>) every account
/// command goes through the shard region to the node that runs the account's slice, from any
/// node, hosting or not; <see cref="GetStatusAsync"/> and <see cref="GetAccountsAsync"/> stay
/// this node's.
/// </summary>
public interface ISipAccounts
{
    /// <summary>
    /// Adds an account (or replaces its parameters) and connects it; answered when the connect
    /// finished (registered, when <see cref="ConnectionParameters.Register"/> is set).
    /// Invalid parameters throw <see cref="ArgumentException"/> naming each field.
    /// </summary>
    Task<CommandResult> AddAccountAsync(AccountId account, ConnectionParameters parameters, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>Disconnects (un-REGISTER first) and forgets an account; <see cref="CommandStatus.NoOp"/> when unknown.</summary>
    Task<CommandResult> RemoveAccountAsync(AccountId account, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>Connects a known account again with its last parameters; <see cref="CommandStatus.Failed"/> for an account never added.</summary>
    Task<CommandResult> ConnectAsync(AccountId account, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Un-registers if registered and closes the account's transport; the account stays known.
    /// In a clustered host the cluster forgets the account's definition too (it is not recreated
    /// after a failover); <see cref="ConnectAsync"/> from this host places it again.
    /// </summary>
    Task<CommandResult> DisconnectAsync(AccountId account, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>REGISTERs a connected account; <see cref="CommandStatus.NoOp"/> when already registered.</summary>
    Task<CommandResult> RegisterAsync(AccountId account, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>Un-REGISTERs and stays connected; <see cref="CommandStatus.NoOp"/> when not registered.</summary>
    Task<CommandResult> UnregisterAsync(AccountId account, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>A MESSAGE to <paramref name="target"/> (sip: URI) through the account's server; the result carries the final status.</summary>
    Task<CommandResult> SendMessageAsync(AccountId account, string target, string body, string contentType = "text/plain", TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>An OPTIONS to <paramref name="target"/> (or, with null, to the account's own address: a ping); the result carries the final status.</summary>
    Task<CommandResult> SendOptionsAsync(AccountId account, string? target = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>The account's state and configuration (the password inside is redacted when printed).</summary>
    Task<ConnectionStateResult> GetStateAsync(AccountId account, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Places a call from a connected account to <paramref name="target"/> (a sip:/sips: URI) offering
    /// <paramref name="sdp"/> (a minimal inactive offer when null). Answered once the INVITE is on its
    /// way, with <see cref="CommandResult.Session"/> set (its <see cref="CallSession.CallId"/> names the
    /// call in the other commands); whether the peer answers is told by the <c>session:*</c> events.
    /// </summary>
    Task<CommandResult> PlaceCallAsync(AccountId account, string target, string? sdp = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>Answers (200 OK) an incoming call that is ringing, with <paramref name="sdp"/>, else the account's <see cref="ConnectionParameters.AnswerSdp"/>, else a minimal inactive answer.</summary>
    Task<CommandResult> AnswerCallAsync(AccountId account, string callId, string? sdp = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>Rejects an unanswered incoming call with a final status 300..699, 486 Busy Here by default.</summary>
    Task<CommandResult> RejectCallAsync(AccountId account, string callId, int statusCode = 486, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends a call however far it got (CANCEL, 480 or BYE); <see cref="CommandStatus.NoOp"/> when it is
    /// ending already, <see cref="CommandStatus.Failed"/> when the account has no such call.
    /// </summary>
    Task<CommandResult> HangUpCallAsync(AccountId account, string callId, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>The account's calls that have not ended; empty for an account that is not known.</summary>
    Task<IReadOnlyList<CallSession>> GetCallsAsync(AccountId account, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>Accounts per state across the supervisor (in a clustered host: the accounts of the slices this node runs).</summary>
    Task<SupervisorStatus> GetStatusAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>The ids of the accounts added through configuration or <see cref="AddAccountAsync"/> and not removed.</summary>
    Task<IReadOnlyCollection<AccountId>> GetAccountsAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default);
}
