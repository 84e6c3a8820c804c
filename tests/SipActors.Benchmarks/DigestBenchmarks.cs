using BenchmarkDotNet.Attributes;
using SipActors.Sip.Auth;

namespace SipActors.Benchmarks;

/// <summary>Answering Kamailio's challenge: one Authorization value per challenged REGISTER.</summary>
[MemoryDiagnoser]
public class DigestBenchmarks
{
    private const int Operations = 1000;
    private readonly DigestAuthenticator _authenticator = new();
    private readonly DigestCredentials _credentials = new("user0001", "pw-user0001");
    private DigestChallenge _md5 = null!;
    private DigestChallenge _sha256 = null!;

    [GlobalSetup]
    public void Setup()
    {
        DigestChallenge.TryParse("Digest realm=\"127.0.0.1\", nonce=\"ZTk4NjQ5MmQ2YzAyYWRmNjQ1YzQ=\", qop=\"auth\"", out var md5, out _);
        DigestChallenge.TryParse("Digest realm=\"127.0.0.1\", nonce=\"ZTk4NjQ5MmQ2YzAyYWRmNjQ1YzQ=\", qop=\"auth\", algorithm=SHA-256", out var sha, out _);
        _md5 = md5!;
        _sha256 = sha!;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public int Md5_auth_response()
    {
        var n = 0;
        for (var i = 0; i < Operations; i++)
        {
            n += _authenticator.CreateAuthorization(_md5, _credentials, "REGISTER", "sip:127.0.0.1").Length;
        }
        return n;
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public int Sha256_auth_response()
    {
        var n = 0;
        for (var i = 0; i < Operations; i++)
        {
            n += _authenticator.CreateAuthorization(_sha256, _credentials, "REGISTER", "sip:127.0.0.1").Length;
        }
        return n;
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public int Parse_challenge()
    {
        var n = 0;
        for (var i = 0; i < Operations; i++)
        {
            DigestChallenge.TryParse("Digest realm=\"127.0.0.1\", nonce=\"ZTk4NjQ5MmQ2YzAyYWRmNjQ1YzQ=\", qop=\"auth\"", out var c, out _);
            n += c!.Nonce.Length;
        }
        return n;
    }
}
