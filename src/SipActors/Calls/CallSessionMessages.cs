using Akka.Actor;
using Akka.Event;

namespace SipActors.Calls;

/// <summary>A session actor tells its account that its call exists (the Call-ID of an outgoing call is known only once placed).</summary>
internal sealed record SessionStarted(CallSession Session) : INoSerializationVerificationNeeded;

/// <summary>A session actor stopped: its call ended, or it was stopped with the account.</summary>
internal sealed record SessionStopped(string CallId, IActorRef Actor) : INoSerializationVerificationNeeded, IDeadLetterSuppression;
