using System.Diagnostics;
using System.Globalization;
using SipActors.Sip.Transports;
using SipActors.Sip.UserAgents;

namespace SipActors.Benchmarks;

/// <summary>Diagnostic: N user agents register without actors, a bounded number at a time, to separate SIP-layer cost from actor cost.</summary>
internal static class DirectRegistration
{
    public static async Task<int> RunAsync(string[] args)
    {
        var server = args[Array.IndexOf(args, "--server") + 1];
        var accounts = int.Parse(args[Array.IndexOf(args, "--accounts") + 1], CultureInfo.InvariantCulture);
        var concurrency = args.Contains("--concurrency") ? int.Parse(args[Array.IndexOf(args, "--concurrency") + 1], CultureInfo.InvariantCulture) : 500;
        SipServerTarget.TryParse(server, out var target, out _);
        await using var stack = new SipStack();
        using var gate = new SemaphoreSlim(concurrency);
        var ok = 0;
        using var sampler = AllocationSampler.StartIfAsked();
        sampler?.Record();
        var before = WindowCounters.Now();
        var clock = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, accounts).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var ua = new SipUserAgent(stack, new SipUserAgentOptions { User = $"d{i:D6}", Domain = target!.Host, Target = target, Password = $"pw-d{i:D6}", Expires = 3600 });
                await ua.ConnectAsync();
                var r = await ua.RegisterAsync();
                if (r.Success)
                {
                    Interlocked.Increment(ref ok);
                }
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        await Task.WhenAll(tasks);
        var elapsed = clock.Elapsed;
        var after = WindowCounters.Now();
        sampler?.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"direct: {ok}/{accounts} registered in {elapsed.TotalSeconds:0.00} s = {ok / elapsed.TotalSeconds:0}/s, retransmissions {stack.Transactions.Retransmissions}"));
        Console.WriteLine(WindowCounters.PerRegistration(before, after, ok));
        sampler?.Print(ok);
        return 0;
    }
}
