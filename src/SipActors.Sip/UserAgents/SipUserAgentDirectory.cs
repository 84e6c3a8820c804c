using System.Collections.Concurrent;
using SipActors.Sip.Calls;
using SipActors.Sip.Headers;
using SipActors.Sip.Transactions;
using SipActors.Sip.Uris;

namespace SipActors.Sip.UserAgents;

/// <summary>
/// Routes incoming requests to the accounts of a process by the user part of the Request-URI
/// (the Contact they registered), falling back to the To user. It answers what needs no owner:
/// OPTIONS with 200 and our capabilities, a request for an unknown user with 404, a request in an
/// unknown dialog with 481, a malformed request with 400, a method accounts do not take out of a
/// dialog with 405 and Allow; a MESSAGE or NOTIFY is answered 200 before its account gets it.
/// </summary>
public sealed class SipUserAgentDirectory
{
    /// <summary>Methods a SipActors user agent accepts: <see cref="SipMethods.Allow"/>, kept here for existing callers.</summary>
    public const string Allow = SipMethods.Allow;

    private readonly ConcurrentDictionary<string, ISipRequestHandler> _handlers = new(StringComparer.Ordinal);
    private long _unknownUser;

    /// <summary>Hooks the directory to a transaction layer's new requests.</summary>
    public SipUserAgentDirectory(SipTransactionLayer transactions)
    {
        ArgumentNullException.ThrowIfNull(transactions);
        transactions.RequestReceived = OnRequest;
    }

    public int Count => _handlers.Count;

    /// <summary>Where in-dialog requests and ACKs look for their call first; the account's handler gets the rest.</summary>
    public SipDialogTable? Dialogs { get; init; }

    public long RequestsForUnknownUsers => Interlocked.Read(ref _unknownUser);

    /// <summary>Routes requests for <paramref name="user"/> to <paramref name="handler"/>; false if the user is taken.</summary>
    public bool TryAdd(string user, ISipRequestHandler handler) => _handlers.TryAdd(user, handler);

    public bool Remove(string user, ISipRequestHandler handler) => _handlers.TryRemove(new(user, handler));

    private void OnRequest(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        try
        {
            request.Validate();
        }
        catch (SipParseException e)
        {
            if (request.Method != SipMethod.Ack)
            {
                Respond(transaction, transaction.CreateResponse(e.StatusCode, e.Detail, SipIdentifiers.NewTag()));
            }
            return;
        }

        var inDialog = request.Method == SipMethod.Ack || NameAddressValue.TryParse(ToValue(request), out var to) && !to.Tag.IsEmpty;
        if (inDialog && Dialogs is { } dialogs && dialogs.TryDispatch(transaction))
        {
            return;
        }
        var handler = Find(request);
        if (handler is null)
        {
            Interlocked.Increment(ref _unknownUser);
            if (request.Method != SipMethod.Ack)
            {
                Respond(transaction, transaction.CreateResponse(404, toTag: SipIdentifiers.NewTag()));
            }
            return;
        }
        if (inDialog)
        {
            if (!handler.OnInDialogRequest(transaction) && request.Method != SipMethod.Ack)
            {
                Respond(transaction, transaction.CreateResponse(481));
            }
            return;
        }
        if (request.Method == SipMethod.Options)
        {
            var ok = transaction.CreateResponse(200, toTag: SipIdentifiers.NewTag());
            ok.Headers.Add(SipHeaderId.Allow, Allow);
            ok.Headers.Add(SipHeaderId.Accept, "application/sdp, text/plain, application/json");
            ok.Headers.Add(SipHeaderId.Supported, "path, outbound");
            Respond(transaction, ok);
            return;
        }
        switch (request.Method)
        {
            case SipMethod.Message or SipMethod.Notify:
                // Accepted on arrival (RFC 3428 §7): what the account does with it is no concern of the sender's.
                Respond(transaction, transaction.CreateResponse(200, toTag: SipIdentifiers.NewTag()));
                handler.OnMessage(request);
                return;
            case SipMethod.Invite:
                handler.OnInvite(transaction);
                return;
            default:
                var refused = transaction.CreateResponse(405, toTag: SipIdentifiers.NewTag());
                refused.Headers.Add(SipHeaderId.Allow, Allow);
                Respond(transaction, refused);
                return;
        }
    }

    private static ReadOnlySpan<byte> ToValue(SipRequest request)
        => request.Headers.TryGetValue(SipHeaderId.To, out var value) ? value : default;

    private ISipRequestHandler? Find(SipRequest request)
    {
        if (request.RequestUri is SipUri { User: { } user } && _handlers.TryGetValue(user, out var handler))
        {
            return handler;
        }
        return request.To?.Uri is SipUri { User: { } toUser } && _handlers.TryGetValue(toUser, out handler) ? handler : null;
    }

    // The directory's own answers: a lost flow is the peer's to notice (it retransmits or gives up).
    private static void Respond(SipServerTransaction transaction, SipResponse response) => _ = transaction.TryRespondAsync(response);
}
