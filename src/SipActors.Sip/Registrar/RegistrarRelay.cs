using System.Globalization;
using System.Text;
using SipActors.Sip.Headers;
using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;
using SipActors.Sip.Uris;

namespace SipActors.Sip.Registrar;

/// <summary>
/// Relays a request for a registered user to its newest binding, over the flow the user
/// registered on (its connection, or its UDP address), in a transaction of our own: our Via
/// goes on top, responses come back through it and are passed on without it. A test rig's
/// proxy: no Record-Route, no forking; authenticating the sender is the registrar's.
/// </summary>
internal sealed class RegistrarRelay(SipTransactionLayer transactions, LocationService locations)
{
    /// <summary>
    /// Relays <paramref name="incoming"/> when its Request-URI names a user with a live binding on
    /// an open flow; false (nothing sent) otherwise, for the caller to answer.
    /// </summary>
    public bool TryRelay(SipServerTransaction incoming)
    {
        var request = incoming.Request;
        if (!TryFindFlow(request, out var contactUri, out var flow))
        {
            return false;
        }
        if (request.MaxForwards is <= 0)
        {
            RegistrarResponses.Respond(incoming, incoming.CreateResponse(483, toTag: SipIdentifiers.NewTag()));
            return true;
        }

        var relayed = Relayed(request, contactUri, flow);
        var relay = request.Method == SipMethod.Invite
            ? transactions.SendInviteAsync(relayed, flow, response => OnRelayedInviteResponse(incoming, response))
            : transactions.SendRequestAsync(relayed, flow);
        if (request.Method == SipMethod.Invite)
        {
            // Our transaction answered the CANCEL with 200 and the INVITE with 487; the callee must stop ringing too.
            incoming.Cancelled += _ => SendCancel(relayed, flow);
        }
        _ = relay.ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully)
            {
                // An INVITE's 2xx was passed on as it came (OnRelayedInviteResponse); every other final response goes back here.
                if (request.Method != SipMethod.Invite || !t.Result.IsSuccess)
                {
                    PassBack(incoming, t.Result);
                }
            }
            else
            {
                RegistrarResponses.Respond(incoming, incoming.CreateResponse(t.Exception?.InnerException is SipTransactionTimeoutException ? 408 : 503,
                    toTag: SipIdentifiers.NewTag()));
            }
        }, TaskScheduler.Default);
        return true;
    }

    /// <summary>An ACK for a 2xx we relayed: to the callee's flow, with our Via on top (statelessly: an ACK has no transaction).</summary>
    public void RelayAck(SipRequest ack)
    {
        if (TryFindFlow(ack, out var contactUri, out var flow) && ack.MaxForwards is not <= 0)
        {
            _ = SendRawQuietly(flow, Relayed(ack, contactUri, flow).ToArray());
        }
    }

    /// <summary>Provisionals and every 2xx (retransmissions too: the INVITE's 2xx is end to end) go back as they come.</summary>
    private static void OnRelayedInviteResponse(SipServerTransaction incoming, SipResponse response)
    {
        if (response.StatusCode >= 300)
        {
            return;
        }
        if (response.IsSuccess && incoming.IsCompleted)
        {
            var top = response.Headers.IndexOf(SipHeaderId.Via);
            if (top >= 0)
            {
                response.Headers.RemoveAt(top);
            }
            _ = SendRawQuietly(incoming.Channel, response.ToArray());
            return;
        }
        PassBack(incoming, response);
    }

    /// <summary>§9.1 for the relayed INVITE: same Request-URI, top Via, Call-ID, From, To and CSeq number.</summary>
    private void SendCancel(SipRequest relayed, SipChannel flow)
    {
        var cancel = new SipRequest(SipMethod.Cancel, relayed.RequestUriText);
        foreach (var id in (ReadOnlySpan<SipHeaderId>)[SipHeaderId.Via, SipHeaderId.From, SipHeaderId.To, SipHeaderId.CallId])
        {
            if (relayed.Headers.TryGetValue(id, out var value))
            {
                cancel.Headers.Add(id, value);
            }
        }
        cancel.Headers.Add(SipHeaderId.MaxForwards, "70");
        cancel.Headers.Add(SipHeaderId.CSeq, string.Create(CultureInfo.InvariantCulture, $"{relayed.CSeq?.Number ?? 1} CANCEL"));
        _ = transactions.SendRequestAsync(cancel, flow).ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
    }

    private static async Task SendRawQuietly(SipChannel channel, ReadOnlyMemory<byte> bytes)
    {
        try
        {
            await channel.SendAsync(bytes).ConfigureAwait(false);
        }
        catch (SipTransportException)
        {
        }
    }

    private bool TryFindFlow(SipRequest request, out string contactUri, out SipChannel flow)
    {
        if (request.RequestUri is SipUri { User: { } user })
        {
            return locations.TryFindFlow(user, out contactUri, out flow);
        }
        contactUri = "";
        flow = null!;
        return false;
    }

    private static SipRequest Relayed(SipRequest request, string contactUri, SipChannel flow)
    {
        var relayed = new SipRequest(request.MethodName, contactUri);
        var via = $"SIP/2.0/{flow.Kind.ViaToken()} {flow.LocalEndPoint};branch={SipIdentifiers.NewBranch()}";
        relayed.Headers.Add(SipHeaderId.Via, via);
        var headers = request.Headers;
        for (var i = 0; i < headers.Count; i++)
        {
            var id = headers.GetId(i);
            if (id == SipHeaderId.MaxForwards)
            {
                relayed.Headers.Add(id, ((request.MaxForwards ?? 70) - 1).ToString(CultureInfo.InvariantCulture));
            }
            else if (id == SipHeaderId.Extension)
            {
                relayed.Headers.Add(headers.GetName(i), Encoding.UTF8.GetString(headers.GetValueSpan(i)));
            }
            else if (id is not (SipHeaderId.ContentLength or SipHeaderId.Route))
            {
                relayed.Headers.Add(id, headers.GetValueSpan(i));
            }
        }
        relayed.Body = request.Body;
        return relayed;
    }

    /// <summary>A response from the relayed side, without our Via, to the original sender.</summary>
    private static void PassBack(SipServerTransaction incoming, SipResponse response)
    {
        var top = response.Headers.IndexOf(SipHeaderId.Via);
        if (top >= 0)
        {
            response.Headers.RemoveAt(top);
        }
        _ = RegistrarResponses.SendQuietly(incoming, response);
    }
}
