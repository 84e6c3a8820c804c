using Akka.Actor;
using Akka.Event;
using SipActors.Sip;
using SipActors.Sip.Registration;
using SipActors.Sip.Transactions;

namespace SipActors.Connections;

/// <summary>
/// What an account decides on (<see cref="AccountState.Decide"/>): the commands it receives and
/// the results of the work its actor did for it. A result carries the generation it was started
/// under, so one of a superseded attempt or a finished teardown is recognised and dropped.
/// A requester is whoever must hear the answer, opaque here (the actor's sender).
/// </summary>
public abstract record AccountInput : INoSerializationVerificationNeeded;

/// <summary>A result of SIP work started under one generation of the account.</summary>
public abstract record AccountResult(int Generation) : AccountInput;

/// <summary>A command from outside (Connect, Disconnect, Register, Unregister, SendMessage, SendOptions, Ping, Call, GetState).</summary>
public sealed record CommandReceived(IWithAccountId Command, object? Requester) : AccountInput;

/// <summary>The parameter provider answered.</summary>
public sealed record ParametersResolved(int Generation, ConnectionParameters Parameters) : AccountResult(Generation);

/// <summary>The parameter provider failed or timed out.</summary>
public sealed record ParametersFailed(int Generation, string Error) : AccountResult(Generation);

/// <summary>The host granted a transport attempt (or a registration retry) within its rate limit.</summary>
public sealed record PermitGranted(int Generation) : AccountResult(Generation);

/// <summary>The flow is up; the facts of the user agent that the configuration shows.</summary>
public sealed record TransportOpened(int Generation, string User, string? Contact, string? LocalEndPoint) : AccountResult(Generation);

/// <summary>The flow could not be opened (refused, timed out, unresolvable).</summary>
public sealed record TransportFailed(int Generation, string Error) : AccountResult(Generation);

/// <summary>The flow of the current user agent broke (or its UDP server stopped answering).</summary>
public sealed record TransportLost(string? Error) : AccountInput;

/// <summary>A REGISTER exchange ended (challenge included); <paramref name="Requester"/> is a Register command's caller.</summary>
public sealed record RegistrationCompleted(int Generation, RegistrationResult Result, RegisterKind Kind, object? Requester) : AccountResult(Generation);

/// <summary>An Unregister command's un-REGISTER ended.</summary>
public sealed record UnregistrationCompleted(int Generation, RegistrationResult Result, object? Requester) : AccountResult(Generation);

/// <summary>
/// A teardown finished: the REGISTER in flight settled, calls were hung up, the binding removed
/// (<paramref name="Unregistration"/>, when there was one) and the flow closed.
/// </summary>
public sealed record TeardownCompleted(int Generation, bool WasRegistered, RegistrationResult? Unregistration, object? Requester, CommandResult? Reply)
    : AccountResult(Generation);

/// <summary>The refresh timer fired: a refresh, or the retry of a failed one, is due.</summary>
public sealed record RefreshDue : AccountInput, IDeadLetterSuppression
{
    public static readonly RefreshDue Instance = new();
}

/// <summary>The recovery timer fired: the next transport attempt of a recovery is due.</summary>
public sealed record RecoveryDue : AccountInput, IDeadLetterSuppression
{
    public static readonly RecoveryDue Instance = new();
}

/// <summary>An out-of-dialog MESSAGE or NOTIFY for the account, already answered 200 by the SIP layer.</summary>
public sealed record RequestReceived(SipRequest Request) : AccountInput;

/// <summary>An INVITE for the account, to be taken by a call session or refused.</summary>
public sealed record InviteReceived(SipServerTransaction Invite) : AccountInput;

/// <summary>Why a REGISTER was sent.</summary>
public enum RegisterKind : byte
{
    /// <summary>The registration of a connect (or of a recovery).</summary>
    Initial,

    /// <summary>A refresh before expiry, or the retry of a failed one.</summary>
    Refresh,

    /// <summary>A Register command's.</summary>
    Command,
}
