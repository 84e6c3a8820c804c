using SipActors.Sip.Transactions;

namespace SipActors.Sip.UserAgents;

/// <summary>
/// The owner of an account's incoming requests (the actor layer builds on this). Called on a
/// receive loop: hand the transaction over (post a message) and return; answer through it.
/// </summary>
public interface ISipRequestHandler
{
    /// <summary>An out-of-dialog MESSAGE, NOTIFY, INVITE or other request addressed to the account.</summary>
    void OnRequest(SipServerTransaction transaction);

    /// <summary>A request inside a dialog (To has a tag), or an ACK to a 2xx. Return false when the dialog is unknown: it is answered 481.</summary>
    bool OnInDialogRequest(SipServerTransaction transaction);
}
