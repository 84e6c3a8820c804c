using SipActors.Sip.Transactions;

namespace SipActors.Sip.UserAgents;

/// <summary>
/// The owner of an account's incoming requests (the actor layer builds on this). The directory
/// answers what needs no owner (OPTIONS, unknown users and dialogs, methods an account does not
/// take, and 200 to a MESSAGE or NOTIFY before the handler sees it), so a handler gets plain
/// data, or an INVITE to turn into a call. Called on a receive loop: hand over (post a message)
/// and return.
/// </summary>
public interface ISipRequestHandler
{
    /// <summary>An out-of-dialog MESSAGE (RFC 3428) or NOTIFY for the account, already answered 200.</summary>
    void OnMessage(SipRequest request);

    /// <summary>An out-of-dialog INVITE for the account: taken by a call (<see cref="SipUserAgent.AcceptCall"/>) or refused (<see cref="SipServerTransaction.TryRespondAsync(int)"/>).</summary>
    void OnInvite(SipServerTransaction invite);

    /// <summary>A request inside a dialog (To has a tag), or an ACK to a 2xx. Return false when the dialog is unknown: it is answered 481.</summary>
    bool OnInDialogRequest(SipServerTransaction transaction);
}
