using System.Globalization;
using Akka.Actor;
using SipActors.Connections;

namespace SipActors.Calls;

/// <summary>
/// The calls of one account, made on its first call (most accounts never have one): the session
/// actor of each by Call-ID, so Answer, Reject and HangUp find it, and the names of new sessions.
/// </summary>
internal sealed class AccountCalls
{
    private readonly Dictionary<string, CallSession> _sessions = new(StringComparer.Ordinal);
    private int _sequence;

    public IReadOnlyList<CallSession> Sessions => [.. _sessions.Values];

    /// <summary>The actor name of the next session: unique within the account.</summary>
    public string NextName() => "call-" + (++_sequence).ToString(CultureInfo.InvariantCulture);

    public void Started(CallSession session) => _sessions[session.CallId] = session;

    /// <summary>Forgets a session that stopped, unless the Call-ID already belongs to a newer one.</summary>
    public void Stopped(string callId, IActorRef actor)
    {
        if (_sessions.TryGetValue(callId, out var session) && session.Actor.Equals(actor))
        {
            _sessions.Remove(callId);
        }
    }

    /// <summary>The session of the call a command (Answer, Reject, HangUp) names.</summary>
    public bool TryFind(IWithAccountId command, out CallSession session) => _sessions.TryGetValue(CallIdOf(command), out session!);

    public static string CallIdOf(IWithAccountId command) => command switch
    {
        Answer a => a.CallId,
        Reject r => r.CallId,
        HangUp h => h.CallId,
        _ => throw new ArgumentOutOfRangeException(nameof(command)),
    };
}
