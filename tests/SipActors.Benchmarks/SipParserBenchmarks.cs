using BenchmarkDotNet.Attributes;
using SipActors.Sip;
using SipActors.Sip.Headers;

namespace SipActors.Benchmarks;

/// <summary>
/// Parsing what a registering account receives. The read benchmarks use the span readers the
/// transaction and registration layers use, so the only allocations are the parse's own.
/// </summary>
[MemoryDiagnoser]
public class SipParserBenchmarks
{
    private const int Operations = 1000;

    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public int Parse_200_OK_to_REGISTER()
    {
        var n = 0;
        for (var i = 0; i < Operations; i++)
        {
            n += SipMessage.Parse(BenchmarkMessages.RegisterOk).Headers.Count;
        }
        return n;
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public int Parse_200_OK_and_read_Via_CSeq_CallId_Contact()
    {
        var n = 0;
        for (var i = 0; i < Operations; i++)
        {
            var message = SipMessage.Parse(BenchmarkMessages.RegisterOk);
            var headers = message.Headers;
            headers.TryGetValue(SipHeaderId.Via, out var rawVia);
            ViaValue.TryParse(rawVia, out var via);
            n += via.Branch.Length + via.Port;
            headers.TryGetValue(SipHeaderId.CSeq, out var rawCSeq);
            n += (int)SipCSeq.Parse(rawCSeq).Number;
            headers.TryGetValue(SipHeaderId.CallId, out var callId);
            n += callId.Length;
            foreach (var rawContact in headers.EnumerateValues(SipHeaderId.Contact))
            {
                NameAddressValue.TryParse(rawContact, out var contact);
                contact.TryGetParameter("expires"u8, out var expires);
                n += contact.Uri.Length + expires.Length;
            }
        }
        return n;
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public int Parse_401_challenge()
    {
        var n = 0;
        for (var i = 0; i < Operations; i++)
        {
            n += SipMessage.Parse(BenchmarkMessages.Unauthorized).Headers.Count;
        }
        return n;
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public int Parse_INVITE_with_SDP()
    {
        var n = 0;
        for (var i = 0; i < Operations; i++)
        {
            n += SipMessage.Parse(BenchmarkMessages.InviteWithSdp).Body.Length;
        }
        return n;
    }
}
