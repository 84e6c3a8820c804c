using System.Net;
using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;
using SipActors.Sip.UserAgents;

namespace SipActors.Cli.Load;

/// <summary>
/// The SIP stack's own counters for a load run: retransmissions and transactions in flight from
/// the transaction layer, client transactions that timed out (Timer F/B, counted from the layer's
/// event), and for a UDP server the datagrams the shared socket sent and received.
/// </summary>
internal sealed class StackCounters : IDisposable
{
    private readonly SipTransactionLayer _transactions;
    private readonly UdpTransport? _udp;
    private long _timeouts;

    public StackCounters(SipStack stack, SipServerTarget target)
    {
        _transactions = stack.Transactions;
        _transactions.ClientTransactionTimedOut += OnTimedOut;
        // The shared socket the accounts use for this server: the stack makes one per local address, and this is that one.
        if (target.Kind == Sip.SipTransportKind.Udp && IPAddress.TryParse(target.Host, out var address))
        {
            _udp = stack.GetUdpTransport(address);
        }
    }

    public long Retransmissions => _transactions.Retransmissions;

    /// <summary>Transactions alive: in flight, or completed and still absorbing retransmissions.</summary>
    public int TransactionsOpen => _transactions.Count;

    public long TransactionTimeouts => Interlocked.Read(ref _timeouts);

    /// <summary>Datagrams sent to a UDP server (requests, retransmissions, ACKs): the request rate a digest run doubles; null for other transports.</summary>
    public long? DatagramsSent => _udp?.DatagramsSent;

    public long? DatagramsReceived => _udp?.DatagramsReceived;

    private void OnTimedOut(SipChannel channel) => Interlocked.Increment(ref _timeouts);

    public void Dispose() => _transactions.ClientTransactionTimedOut -= OnTimedOut;
}
