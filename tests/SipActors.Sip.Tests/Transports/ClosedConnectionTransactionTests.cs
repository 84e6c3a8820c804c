using System.Diagnostics;
using SipActors.Sip.Headers;
using SipActors.Sip.Tests.UserAgents;
using SipActors.Sip.Timers;
using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;

namespace SipActors.Sip.Tests.Transports;

/// <summary>A transaction over a connection fails as soon as the connection is gone (RFC 3261 §17.1.4), not at Timer F.</summary>
public sealed class ClosedConnectionTransactionTests : IDisposable
{
    private readonly SipTimerWheel _wheel = new();
    private readonly SipTransactionLayer _transactions;

    public ClosedConnectionTransactionTests() => _transactions = new SipTransactionLayer(_wheel);

    public void Dispose() => _wheel.Dispose();

    [Fact]
    public async Task Should_fail_a_request_at_once_when_the_peer_closes_the_connection_before_answering()
    {
        await using var peer = new ScriptedTcpRegistrar((_, _) => ScriptedTcpRegistrar.Reply.Close);
        await using var channel = await StreamChannel.ConnectAsync(SipTransportKind.Tcp, peer.EndPoint, _transactions);

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<SipTransportException>(() => _transactions.SendRequestAsync(Options(channel), channel).WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"failed after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Contains("closed", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _transactions.Count); // and it left the table
    }

    [Fact]
    public async Task Should_fail_a_request_at_once_on_a_connection_already_closed()
    {
        await using var peer = new ScriptedTcpRegistrar((_, _) => ScriptedTcpRegistrar.Reply.Answer);
        var channel = await StreamChannel.ConnectAsync(SipTransportKind.Tcp, peer.EndPoint, _transactions);
        await channel.DisposeAsync();

        await Assert.ThrowsAsync<SipTransportException>(() => _transactions.SendRequestAsync(Options(channel), channel).WaitAsync(TimeSpan.FromSeconds(2)));
        Assert.Equal(0, _transactions.Count);
    }

    private static SipRequest Options(SipChannel channel)
    {
        var request = new SipRequest(SipMethod.Options, $"sip:{channel.RemoteEndPoint}");
        var h = request.Headers;
        h.Add(SipHeaderId.Via, SipVia.NewTop(SipTransportKind.Tcp, channel.LocalEndPoint.ToString()));
        h.Add(SipHeaderId.MaxForwards, "70");
        h.Add(SipHeaderId.From, $"<sip:probe@{channel.LocalEndPoint}>;tag={SipIdentifiers.NewTag()}");
        h.Add(SipHeaderId.To, $"<sip:{channel.RemoteEndPoint}>");
        h.Add(SipHeaderId.CallId, SipIdentifiers.NewCallId());
        h.Add(SipHeaderId.CSeq, "1 OPTIONS");
        return request;
    }
}
