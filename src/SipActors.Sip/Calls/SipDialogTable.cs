using System.Collections.Concurrent;
using SipActors.Sip.Transactions;

namespace SipActors.Sip.Calls;

/// <summary>
/// The dialogs of one stack, keyed by Call-ID, local tag and remote tag (RFC 3261 §12): an incoming
/// request whose To tag is ours goes to the call that owns the dialog. A call takes its dialog out
/// when it ends, so <see cref="Count"/> falls back to zero.
/// </summary>
public sealed class SipDialogTable
{
    private readonly ConcurrentDictionary<string, SipCall> _calls = new(concurrencyLevel: 64, capacity: 64, StringComparer.Ordinal);

    /// <summary>Dialogs alive now.</summary>
    public int Count => _calls.Count;

    internal bool TryAdd(SipDialog dialog, SipCall call) => _calls.TryAdd(dialog.Key, call);

    internal bool Remove(SipDialog dialog, SipCall call) => _calls.TryRemove(new(dialog.Key, call));

    /// <summary>
    /// Hands an in-dialog request (To tag is ours) or an ACK to the call that owns the dialog. False
    /// when no dialog matches: the caller answers 481 (§12.2.2). Called on a receive loop.
    /// </summary>
    public bool TryDispatch(SipServerTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var request = transaction.Request;
        var localTag = request.To?.Tag;
        var remoteTag = request.From?.Tag;
        if (request.CallId is not { } callId || string.IsNullOrEmpty(localTag) || string.IsNullOrEmpty(remoteTag)
            || !_calls.TryGetValue(SipDialog.MakeKey(callId, localTag, remoteTag), out var call))
        {
            return false;
        }
        call.OnInDialogRequest(transaction);
        return true;
    }
}
