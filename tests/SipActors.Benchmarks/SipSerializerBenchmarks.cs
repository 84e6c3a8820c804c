using System.Buffers;
using BenchmarkDotNet.Attributes;
using SipActors.Sip;
using SipActors.Sip.Headers;

namespace SipActors.Benchmarks;

/// <summary>Writing what a registering account sends: a REGISTER built by code, into a rented buffer.</summary>
[MemoryDiagnoser]
public class SipSerializerBenchmarks
{
    private const int Operations = 1000;
    private SipRequest _register = null!;
    private SipMessage _parsedOk = null!;

    [GlobalSetup]
    public void Setup()
    {
        _register = new SipRequest(SipMethod.Register, "sip:127.0.0.1");
        _register.Headers.Add(SipHeaderId.Via, "SIP/2.0/UDP 127.0.0.1:40001;branch=z9hG4bK.a1b2c3d4e5;rport");
        _register.Headers.Add(SipHeaderId.MaxForwards, "70");
        _register.Headers.Add(SipHeaderId.From, "\"Alice\" <sip:user0001@127.0.0.1>;tag=8f3a2b");
        _register.Headers.Add(SipHeaderId.To, "<sip:user0001@127.0.0.1>");
        _register.Headers.Add(SipHeaderId.CallId, "5c1d9e8f-3b2a-4c6d-9e8f-7a6b5c4d3e2f");
        _register.Headers.Add(SipHeaderId.CSeq, "2 REGISTER");
        _register.Headers.Add(SipHeaderId.Contact, "<sip:user0001@127.0.0.1:40001;transport=udp>;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-00a0c91e6bf6>\";reg-id=1");
        _register.Headers.Add(SipHeaderId.Expires, "300");
        _register.Headers.Add(SipHeaderId.Authorization, "Digest username=\"user0001\", realm=\"127.0.0.1\", nonce=\"ZTk4NjQ5MmQ2YzAyYWRmNjQ1YzQ=\", uri=\"sip:127.0.0.1\", response=\"6629fae49393a05397450978507c4ef1\", algorithm=MD5, cnonce=\"0a4f113b0a4f113b\", qop=auth, nc=00000001");
        _register.Headers.Add(SipHeaderId.UserAgent, "SipActors/0.1.0");
        _parsedOk = SipMessage.Parse(BenchmarkMessages.RegisterOk);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public int Serialize_REGISTER_into_a_pooled_buffer()
    {
        var n = 0;
        for (var i = 0; i < Operations; i++)
        {
            var length = _register.GetByteCount();
            var buffer = ArrayPool<byte>.Shared.Rent(length);
            n += _register.WriteTo(buffer);
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return n;
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public int Serialize_parsed_200_OK_into_a_pooled_buffer()
    {
        var n = 0;
        for (var i = 0; i < Operations; i++)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(_parsedOk.GetByteCount());
            n += _parsedOk.WriteTo(buffer);
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return n;
    }
}
