namespace SipActors.Connections;

/// <summary>Which commands and results an account takes: the states of its actor.</summary>
public enum AccountPhase : byte
{
    /// <summary>No connect: only Connect does anything.</summary>
    Idle,

    /// <summary>A connect (or a recovery attempt) is resolving parameters, waiting for a permit, opening the flow or registering.</summary>
    Connecting,

    /// <summary>The flow is up (and registered when asked); refreshes and commands on the flow run.</summary>
    Connected,

    /// <summary>The flow was lost; the next attempt waits for its backoff.</summary>
    Recovering,

    /// <summary>A teardown is under way; commands that change the connection wait for it.</summary>
    Disconnecting,
}
