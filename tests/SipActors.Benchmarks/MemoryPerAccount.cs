using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using SipActors.Connections;
using SipActors.Sip.UserAgents;

namespace SipActors.Benchmarks;

/// <summary>
/// Registers N accounts under one ConnectionSupervisor against a registrar in another process,
/// lets them sit registered, and reports managed heap and working set per account. The
/// registrar runs elsewhere so that its bindings are not counted as ours.
/// </summary>
internal static class MemoryPerAccount
{
    public static async Task<int> RunAsync(string[] args)
    {
        var server = Arg(args, "--server") ?? throw new ArgumentException("--server udp://127.0.0.1:PORT is required (start `sipactors registrar --quiet` first)");
        var accounts = int.Parse(Arg(args, "--accounts") ?? "10000", CultureInfo.InvariantCulture);
        var domain = new Uri(server).Host;

        using var system = ActorSystem.Create("memory", "akka.loglevel = WARNING");
        await using var stack = new SipStack();
        var supervisor = system.ActorOf(ConnectionSupervisor.Props(stack, new ConnectionSupervisorSettings { ConnectRateLimit = 5000 }), "accounts");
        var before = Snapshot();

        var started = Stopwatch.StartNew();
        var connects = Enumerable.Range(0, accounts).Select(i => new Connect($"mem{i:D6}", new ConnectionParameters
        {
            SipServerIp = domain,
            SipServerUrl = server,
            Register = true,
            User = $"mem{i:D6}",
            Password = $"pw-mem{i:D6}",
            RegisterExpires = 3600,
        })).ToList();
        await supervisor.Ask<CommandResult>(new ConnectAll(connects), TimeSpan.FromSeconds(30));
        SupervisorStatus status;
        var last = -1;
        var lastChange = Stopwatch.StartNew();
        while (true)
        {
            await Task.Delay(250);
            status = await supervisor.Ask<SupervisorStatus>(GetSupervisorStatus.Instance, TimeSpan.FromSeconds(30));
            var now = status.Count(ConnectionStatus.Registered);
            if (now != last)
            {
                last = now;
                lastChange.Restart();
            }
            // Done when all registered; give up when nothing moved for 15 s (failures are reported, not waited for).
            if (now == accounts || lastChange.Elapsed > TimeSpan.FromSeconds(15))
            {
                break;
            }
        }
        var registeredIn = started.Elapsed;

        // Idle for a while so that completed transactions leave their tables (Timer K) before measuring.
        await Task.Delay(TimeSpan.FromSeconds(7));
        var after = Snapshot();
        var registered = status.Count(ConnectionStatus.Registered);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"accounts {accounts}, registered {registered} in {registeredIn.TotalSeconds:0.0} s ({registered / registeredIn.TotalSeconds:0} /s including ramp)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"managed heap per registered account: {(after.Heap - before.Heap) / (double)Math.Max(1, registered):0} B"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"working set per registered account: {(after.WorkingSet - before.WorkingSet) / (double)Math.Max(1, registered):0} B"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"transactions in flight while idle: {stack.Transactions.Count}; timers pending: {stack.Wheel.Count}; retransmissions: {stack.Transactions.Retransmissions}"));
        // What they are: the slots are read on the wheel's own thread, from one of its callbacks.
        var pending = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        stack.Wheel.Schedule(TimeSpan.Zero, _ => pending.TrySetResult(stack.Wheel.DescribePending()));
        Console.WriteLine($"  transactions: {stack.Transactions.DescribeInFlight()}; timers (besides this one): {await pending.Task.WaitAsync(TimeSpan.FromSeconds(5))}");
        // The kernel's high-water mark (VmHWM): the ramp's garbage counts, as it does for a load test.
        using (var process = Process.GetCurrentProcess())
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"peak working set: {process.PeakWorkingSet64 / 1048576.0:0.0} MiB = {process.PeakWorkingSet64 / (double)Math.Max(1, registered):0} B per registered account (whole process)"));
        }
        await supervisor.Ask<CommandResult>(DisconnectAll.Instance, TimeSpan.FromMinutes(2));
        return registered == accounts ? 0 : 1;
    }

    private static (long Heap, long WorkingSet) Snapshot()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        using var process = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: true), process.WorkingSet64);
    }

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
