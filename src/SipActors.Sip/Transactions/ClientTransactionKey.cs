using System.Text;

namespace SipActors.Sip.Transactions;

/// <summary>
/// What matches a response to its client transaction (RFC 3261 §17.1.3): the top Via branch, and
/// whether it is a CANCEL's (which carries its INVITE's branch). A branch this process made
/// (<see cref="SipIdentifiers"/>: magic cookie, process prefix, hexadecimal counter) is held as its
/// counter, not as a string: a string per transaction was a tenth of a registration's strings.
/// Any other branch is held as its text.
/// </summary>
internal readonly record struct ClientTransactionKey(ulong Number, bool Cancel, string? Text)
{
    /// <summary>The key of <paramref name="branch"/>; a branch not made here becomes a string.</summary>
    public static ClientTransactionKey From(ReadOnlySpan<byte> branch, bool cancel)
        => SipIdentifiers.TryReadOwnBranch(branch, out var number) ? new(number, cancel, null) : new(0, cancel, Encoding.ASCII.GetString(branch));

    /// <summary>The key as the table of foreign branches holds it: the branch, with <c>|CANCEL</c> for a CANCEL.</summary>
    public string ForeignText => Cancel ? Text + "|CANCEL" : Text!;
}
