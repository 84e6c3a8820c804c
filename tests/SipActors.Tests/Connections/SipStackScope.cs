using System.Net;
using SipActors.Sip;
using SipActors.Sip.Headers;
using SipActors.Sip.Timers;
using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;
using SipActors.Sip.Uris;

namespace SipActors.Tests.Connections;

/// <summary>A bare SIP peer for tests: its own socket and transaction layer, to send requests to an account.</summary>
internal sealed class SipStackScope : IAsyncDisposable
{
    private readonly SipTimerWheel _wheel = new();
    private readonly SipTransactionLayer _transactions;
    private readonly UdpTransport _udp;

    public SipStackScope()
    {
        _transactions = new SipTransactionLayer(_wheel);
        _udp = new UdpTransport(new IPEndPoint(IPAddress.Loopback, 0), _transactions);
    }

    public Task<SipResponse> SendMessageAsync(string target, string text)
    {
        var uri = SipUri.Parse(target);
        var request = new SipRequest(SipMethod.Message, target);
        request.Headers.Add(SipHeaderId.Via, $"SIP/2.0/UDP {_udp.LocalEndPoint};branch={SipIdentifiers.NewBranch()}");
        request.Headers.Add(SipHeaderId.MaxForwards, "70");
        request.Headers.Add(SipHeaderId.From, $"<sip:peer@{_udp.LocalEndPoint}>;tag={SipIdentifiers.NewTag()}");
        request.Headers.Add(SipHeaderId.To, $"<{target}>");
        request.Headers.Add(SipHeaderId.CallId, SipIdentifiers.NewCallId());
        request.Headers.Add(SipHeaderId.CSeq, "1 MESSAGE");
        request.Headers.Add(SipHeaderId.ContentType, "text/plain");
        request.Body = System.Text.Encoding.UTF8.GetBytes(text);
        return _transactions.SendRequestAsync(request, _udp.GetChannel(new IPEndPoint(IPAddress.Parse(uri.Host), uri.Port ?? 5060)));
    }

    public async ValueTask DisposeAsync()
    {
        await _udp.DisposeAsync();
        _wheel.Dispose();
    }
}
