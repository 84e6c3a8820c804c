using SipActors.Sip.Auth;
using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;

namespace SipActors.Sip.Calls;

/// <summary>What a call borrows from its account's user agent: the stack's tables, the flow and the account's identity.</summary>
internal sealed class SipCallContext
{
    public required SipTransactionLayer Transactions { get; init; }
    public required SipDialogTable Dialogs { get; init; }

    /// <summary>The account's flow: every request of the call goes over it (the server is our outbound proxy).</summary>
    public required SipChannel Channel { get; init; }

    /// <summary>Via up to the branch: <c>SIP/2.0/UDP host:port</c>.</summary>
    public required string ViaPrefix { get; init; }

    /// <summary>Our Contact for the dialog, <c>&lt;sip:user@host:port;transport=…&gt;</c>.</summary>
    public required string Contact { get; init; }

    /// <summary>The From of our INVITE (the account's AOR, with its display name), without a tag.</summary>
    public required string LocalIdentity { get; init; }

    public string? UserAgent { get; init; }
    public DigestCredentials? Credentials { get; init; }

    /// <summary>Told once when a call ends, so the user agent stops tracking it.</summary>
    public Action<SipCall>? CallEnded { get; init; }
}
