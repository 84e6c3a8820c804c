using BenchmarkDotNet.Running;

namespace SipActors.Benchmarks;

public static class Program
{
    /// <summary>BenchmarkDotNet by default; <c>memory --server udp://127.0.0.1:PORT --accounts N</c> measures memory per registered account.</summary>
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "direct")
        {
            return await DirectRegistration.RunAsync(args[1..]);
        }
        if (args.Length > 0 && args[0] == "actors")
        {
            return await ActorRegistration.RunAsync(args[1..]);
        }
        if (args.Length > 0 && args[0] == "memory")
        {
            return await MemoryPerAccount.RunAsync(args[1..]);
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
