namespace SipActors.Connections;

/// <summary>Stops and forgets an account (disconnecting it first when connected).</summary>
public sealed record RemoveAccount(AccountId Account) : IWithAccountId;

/// <summary>Connects every listed account, each with its own parameters; answered once all were handed over.</summary>
public sealed record ConnectAll(IReadOnlyList<Connect> Connects);

/// <summary>Disconnects every account of the supervisor; answered when each has answered.</summary>
public sealed class DisconnectAll
{
    public static readonly DisconnectAll Instance = new();
    private DisconnectAll() { }
}

/// <summary>Asks the supervisor for <see cref="SupervisorStatus"/>.</summary>
public sealed class GetSupervisorStatus
{
    public static readonly GetSupervisorStatus Instance = new();
    private GetSupervisorStatus() { }
}

/// <summary>Accounts per state, kept from the children's own reports (no fan-out per query).</summary>
public sealed record SupervisorStatus(int Accounts, IReadOnlyDictionary<ConnectionStatus, int> ByStatus)
{
    public int Count(ConnectionStatus status) => ByStatus.TryGetValue(status, out var n) ? n : 0;
}

/// <summary>A child's state changed; the supervisor keeps its counts from these.</summary>
public sealed record AccountStatusChanged(AccountId Account, ConnectionStatus Status);

/// <summary>A child asks before each transport attempt, so connects across the supervisor stay within the rate limit.</summary>
public sealed record ConnectPermitRequest(AccountId Account, int Generation);

/// <summary>A restarted child asks for its last Connect, to reconnect after a crash.</summary>
public sealed record AccountRestarted(AccountId Account);

/// <summary>A child's transport attempt ended (up and registered, failed, or abandoned): its permit's slot is free again.</summary>
public sealed record ConnectAttemptFinished(AccountId Account);

/// <summary>A child stopped for good (removed, or given up after too many crashes): its counts and slot go.</summary>
public sealed record AccountStopped(AccountId Account);
