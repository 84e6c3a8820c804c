using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;

namespace SipActors.Sip.Calls;

/// <summary>
/// Sends of a call whose failure changes nothing at the moment they are made: the peer retransmits,
/// a timer ends the call, or the call already ended. A transport error is swallowed and an
/// asynchronous one observed, so none surfaces on a receive loop or timer thread.
/// </summary>
internal static class QuietSend
{
    /// <summary>An ACK or a retransmitted 2xx: straight onto the flow, no transaction (RFC 3261 §13.2.2.4, §13.3.1.4).</summary>
    public static void Bytes(SipChannel channel, ReadOnlyMemory<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }
        ValueTask sending;
        try
        {
            sending = channel.SendAsync(bytes);
        }
        catch (SipTransportException)
        {
            return; // the peer retransmits its 2xx, or the ACK timeout ends the call
        }
        if (!sending.IsCompletedSuccessfully)
        {
            _ = ObserveAsync(sending);
        }
    }

    /// <summary>A response in its server transaction.</summary>
    public static void Response(SipServerTransaction transaction, SipResponse response)
    {
        ValueTask sending;
        try
        {
            sending = transaction.RespondAsync(response);
        }
        catch (SipTransportException)
        {
            return;
        }
        if (!sending.IsCompletedSuccessfully)
        {
            _ = ObserveAsync(sending);
        }
    }

    /// <summary>BYE or CANCEL in its own non-INVITE transaction; its outcome changes nothing for the call.</summary>
    public static void Request(SipTransactionLayer transactions, SipRequest request, SipChannel channel)
    {
        try
        {
            _ = transactions.SendRequestAsync(request, channel)
                .ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        catch (SipTransportException)
        {
        }
    }

    private static async Task ObserveAsync(ValueTask sending)
    {
        try
        {
            await sending.ConfigureAwait(false);
        }
        catch (SipTransportException)
        {
        }
    }
}
