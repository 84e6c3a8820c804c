using SipActors.Sip.Headers;
using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;

namespace SipActors.Sip.Registrar;

/// <summary>How the registrar's parts answer a server transaction: without waiting, and without failing on a lost flow.</summary>
internal static class RegistrarResponses
{
    public const string ServerName = "SipActors embedded registrar";

    /// <summary>An answer of the registrar's own, marked with its Server header.</summary>
    public static void Respond(SipServerTransaction transaction, SipResponse response)
    {
        response.Headers.Add(SipHeaderId.Server, ServerName);
        _ = SendQuietly(transaction, response);
    }

    /// <summary>Sends as it is (a relayed response keeps the callee's headers).</summary>
    public static async Task SendQuietly(SipServerTransaction transaction, SipResponse response)
    {
        try
        {
            await transaction.RespondAsync(response).ConfigureAwait(false);
        }
        catch (SipTransportException)
        {
            // The client retransmits; the response is sent again then.
        }
    }
}
