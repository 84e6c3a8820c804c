namespace SipActors.Connections;

/// <summary>Messages addressed to one account carry its id, so a supervisor (and later sharding) can route them.</summary>
public interface IWithAccountId
{
    AccountId Account { get; }
}

/// <summary>
/// Connect with fixed parameters or with an async provider (called at connect time, bounded by a
/// timeout). A newer command supersedes an older one, whose caller gets <see cref="CommandStatus.Superseded"/>.
/// </summary>
public sealed record Connect(AccountId Account, ConnectionParameters? Parameters = null, Func<CancellationToken, Task<ConnectionParameters>>? Provider = null) : IWithAccountId
{
    /// <summary>
    /// A registration of this account saved by a host it ran on before (see <see cref="IAccountBindingSink"/>):
    /// the first REGISTER goes on with its Call-ID and next CSeq and removes its Contact. Null: a fresh
    /// registration (a new Call-ID is as valid, RFC 3261 §10.3). Not sent between nodes.
    /// </summary>
    public SipActors.Sip.Registration.RegistrationBinding? ContinueBinding { get; init; }
}

/// <summary>Un-register if registered, close the transport. Answered <see cref="CommandStatus.NoOp"/> when already disconnected.</summary>
public sealed record Disconnect(AccountId Account) : IWithAccountId;

/// <summary>
/// REGISTER on the connected transport. <see cref="CommandStatus.NoOp"/> when already registered;
/// <see cref="CommandStatus.Failed"/> when not connected or connected without credentials
/// (<c>Register = false</c>). A failure leaves the transport up (CONTRACT.md §5.3). Waits for a
/// connect in progress to settle first.
/// </summary>
public sealed record Register(AccountId Account) : IWithAccountId;

/// <summary>
/// Un-REGISTER and stay connected; refreshes stop. <see cref="CommandStatus.NoOp"/> when not
/// registered. Waits for a connect in progress to settle first.
/// </summary>
public sealed record Unregister(AccountId Account) : IWithAccountId;

/// <summary>
/// A MESSAGE (RFC 3428) to <paramref name="Target"/> (a sip: or sips: URI) through the account's
/// server. Publishes <c>connection:newMessage</c> with originator <c>local</c>; answered with the
/// outcome (<see cref="CommandResult.StatusCode"/> holds the final status).
/// </summary>
public sealed record SendMessage(AccountId Account, string Target, string Body, string ContentType = "text/plain") : IWithAccountId;

/// <summary>An OPTIONS to <paramref name="Target"/> through the account's server; answered with the outcome within the options timeout.</summary>
public sealed record SendOptions(AccountId Account, string Target) : IWithAccountId;

/// <summary>An OPTIONS to the account's own address of record: is the account reachable through its server?</summary>
public sealed record Ping(AccountId Account) : IWithAccountId;

/// <summary>Asks for <see cref="ConnectionStateResult"/>.</summary>
public sealed record GetState(AccountId Account) : IWithAccountId;

public enum CommandStatus
{
    Ok,
    NoOp,
    Superseded,
    Failed,
}

/// <summary>The answer to every command: none is left unanswered.</summary>
public sealed record CommandResult(AccountId Account, CommandStatus Status, string? Error = null)
{
    public bool IsSuccess => Status is CommandStatus.Ok or CommandStatus.NoOp;

    /// <summary>For commands that send a request (SendMessage, SendOptions, Ping): the final SIP status, if one came.</summary>
    public int? StatusCode { get; init; }

    /// <summary>For <see cref="Calls.Call"/>: the handle of the call placed.</summary>
    public Calls.CallSession? Session { get; init; }
}

public enum ConnectionStatus
{
    Disconnected,
    Connecting,
    Connected,
    Registered,
    Disconnecting,
}

public sealed record ConnectionStateResult(AccountId Account, ConnectionStatus Status, ConnectionConfiguration? Configuration);
