using SipActors.Events;
using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;

namespace SipActors.Connections;

/// <summary>
/// What an account's decision asks its actor to do, in order, once the account is in the
/// decided state: the closed set of things the interpreter (<see cref="ConnectionActor"/>) knows
/// how to perform. Work that takes time reports back as an <see cref="AccountInput"/>.
/// </summary>
public abstract record AccountEffect;

/// <summary>Publish a <c>connection:*</c> event on the event stream.</summary>
public sealed record Publish(ConnectionEvent Event) : AccountEffect;

/// <summary>Answer <paramref name="To"/> (a requester from an input; nothing when null).</summary>
public sealed record Reply(object? To, object Message) : AccountEffect;

/// <summary>Keep the command being decided for later: it is decided again after <see cref="ResumeDeferred"/>.</summary>
public sealed record Defer : AccountEffect
{
    public static readonly Defer Instance = new();
}

/// <summary>Decide the deferred commands again, in their order.</summary>
public sealed record ResumeDeferred : AccountEffect
{
    public static readonly ResumeDeferred Instance = new();
}

/// <summary>Call the connect's parameter provider (bounded by the provider timeout): <see cref="ParametersResolved"/> or <see cref="ParametersFailed"/>.</summary>
public sealed record ResolveParameters(int Generation, Func<CancellationToken, Task<ConnectionParameters>> Provider) : AccountEffect;

/// <summary>Make the connect's user agent for <paramref name="User"/> at <paramref name="Target"/> and route the user's requests to the account.</summary>
public sealed record CreateUserAgent(ConnectionParameters Parameters, SipServerTarget Target, string User) : AccountEffect;

/// <summary>Ask the host for a permit (<see cref="PermitGranted"/>) before a transport attempt or a registration retry.</summary>
public sealed record RequestPermit(int Generation) : AccountEffect;

/// <summary>Give the host its permit back: the attempt it was for has ended (or never started).</summary>
public sealed record ReleasePermit : AccountEffect
{
    public static readonly ReleasePermit Instance = new();
}

/// <summary>Open the flow (bounded by the connect timeout): <see cref="TransportOpened"/> or <see cref="TransportFailed"/>.</summary>
public sealed record OpenTransport(int Generation) : AccountEffect;

/// <summary>Send a REGISTER on the flow: <see cref="RegistrationCompleted"/>.</summary>
public sealed record SendRegister(int Generation, RegisterKind Kind, object? Requester) : AccountEffect;

/// <summary>Send an un-REGISTER for an Unregister command, staying connected: <see cref="UnregistrationCompleted"/>.</summary>
public sealed record SendUnregister(int Generation, object? Requester) : AccountEffect;

/// <summary>Carry out a command that needs the flow and changes no account state (SendMessage, SendOptions, Ping, Call); it answers its requester itself.</summary>
public sealed record PerformOnFlow(IWithAccountId Command, object? Requester) : AccountEffect;

/// <summary>Hand an INVITE to a new call session under the account.</summary>
public sealed record AcceptInvite(SipServerTransaction Invite) : AccountEffect;

/// <summary>Answer an INVITE with a final status without a call (the policy ignores calls, or the account cannot take one now).</summary>
public sealed record RefuseInvite(SipServerTransaction Invite, int StatusCode) : AccountEffect;

/// <summary>Close the flow and keep the user agent for the next attempt of a recovery.</summary>
public sealed record CloseTransport : AccountEffect
{
    public static readonly CloseTransport Instance = new();
}

/// <summary>Let the user agent go without an un-REGISTER (the connect failed before the flow was up, or was superseded).</summary>
public sealed record DropUserAgent : AccountEffect
{
    public static readonly DropUserAgent Instance = new();
}

/// <summary>
/// Tear the account down: cancel the connect's work, let a REGISTER in flight settle, hang up
/// calls, un-REGISTER when registered (or when that REGISTER made a binding), close the flow:
/// <see cref="TeardownCompleted"/>, which carries <paramref name="Requester"/> and its <paramref name="Reply"/>.
/// </summary>
public sealed record TearDown(int Generation, bool WasRegistered, object? Requester, CommandResult? Reply) : AccountEffect;

/// <summary>The connect is over: nothing of it is left to cancel, so its cancellation source can go.</summary>
public sealed record ConnectSettled : AccountEffect
{
    public static readonly ConnectSettled Instance = new();
}

/// <summary>Start (or restart) the refresh timer: <see cref="RefreshDue"/> after <paramref name="Delay"/>.</summary>
public sealed record ScheduleRefresh(TimeSpan Delay) : AccountEffect;

/// <summary>Stop the refresh timer; a tick already queued is dropped.</summary>
public sealed record CancelRefresh : AccountEffect
{
    public static readonly CancelRefresh Instance = new();
}

/// <summary>Start the recovery timer: <see cref="RecoveryDue"/> after <paramref name="Delay"/>.</summary>
public sealed record ScheduleRecovery(TimeSpan Delay) : AccountEffect;

/// <summary>Stop the recovery timer; a tick already queued is dropped.</summary>
public sealed record CancelRecovery : AccountEffect
{
    public static readonly CancelRecovery Instance = new();
}

/// <summary>Count a REGISTER exchange in the <c>SipActors</c> meter.</summary>
public sealed record RecordRegistration(bool Success, bool Refresh, string? Cause) : AccountEffect;

/// <summary>Log a warning about the account: something an operator should see that no event says as plainly.</summary>
public sealed record Warn(string Message) : AccountEffect;
