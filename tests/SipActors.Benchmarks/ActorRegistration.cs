using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using SipActors.Connections;
using SipActors.Events;
using SipActors.Sip.UserAgents;

namespace SipActors.Benchmarks;

/// <summary>
/// Diagnostic twin of <see cref="DirectRegistration"/> through the actor layer: N accounts under
/// one ConnectionSupervisor, timed from ConnectAll to the last <c>connection:registered</c> seen
/// on the event stream, with CPU and allocations per registration over that window.
/// </summary>
internal static class ActorRegistration
{
    public static async Task<int> RunAsync(string[] args)
    {
        var server = args[Array.IndexOf(args, "--server") + 1];
        var accounts = int.Parse(args[Array.IndexOf(args, "--accounts") + 1], CultureInfo.InvariantCulture);
        var concurrency = args.Contains("--concurrency") ? int.Parse(args[Array.IndexOf(args, "--concurrency") + 1], CultureInfo.InvariantCulture) : 500;
        var domain = new Uri(server).Host;
        // Extra HOCON (dispatcher experiments) from SIPACTORS_BENCH_HOCON.
        using var system = ActorSystem.Create("actors", "akka.loglevel = WARNING\n" + Environment.GetEnvironmentVariable("SIPACTORS_BENCH_HOCON"));
        await using var stack = new SipStack();
        var supervisor = system.ActorOf(ConnectionSupervisor.Props(stack, new ConnectionSupervisorSettings { ConnectRateLimit = 1_000_000, MaxConcurrentConnects = concurrency }), "accounts");
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var registered = 0;
        var failed = 0;
        Action<ConnectionEvent> onEvent = e =>
        {
            if (e is Registered)
            {
                registered++;
            }
            else if (e is ConnectFailed)
            {
                failed++;
            }
            if (registered + failed == accounts)
            {
                done.TrySetResult();
            }
        };
        var counter = system.ActorOf(Props.Create(() => new Counter(onEvent)));
        system.EventStream.Subscribe(counter, typeof(ConnectionEvent));
        var connects = Enumerable.Range(0, accounts).Select(i => new Connect($"a{i:D6}", new ConnectionParameters
        {
            SipServerIp = domain, SipServerUrl = server, Register = true, User = $"a{i:D6}", Password = $"pw-a{i:D6}", RegisterExpires = 3600,
        })).ToList();

        // SIPACTORS_BENCH_START_DELAY_MS: print the PID and wait before the window, so a profiler
        // (dotnet-trace, perf) attached in that pause records the ramp and not the start-up.
        if (int.TryParse(Environment.GetEnvironmentVariable("SIPACTORS_BENCH_START_DELAY_MS"), CultureInfo.InvariantCulture, out var startDelay) && startDelay > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"window starts in {startDelay} ms, pid {Environment.ProcessId}"));
            await Task.Delay(startDelay);
        }
        using var sampler = AllocationSampler.StartIfAsked();
        sampler?.Record();
        var before = WindowCounters.Now();
        var clock = Stopwatch.StartNew();
        supervisor.Tell(new ConnectAll(connects));
        await done.Task.WaitAsync(TimeSpan.FromMinutes(5));
        var elapsed = clock.Elapsed;
        var after = WindowCounters.Now();
        sampler?.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"actors: {registered}/{accounts} registered ({failed} failed) in {elapsed.TotalSeconds:0.00} s = {registered / elapsed.TotalSeconds:0}/s, retransmissions {stack.Transactions.Retransmissions}"));
        Console.WriteLine(WindowCounters.PerRegistration(before, after, registered));
        sampler?.Print(registered);
        await supervisor.Ask<CommandResult>(DisconnectAll.Instance, TimeSpan.FromMinutes(2));
        return registered == accounts ? 0 : 1;
    }

    private sealed class Counter : ReceiveActor
    {
        public Counter(Action<ConnectionEvent> onEvent) => Receive<ConnectionEvent>(onEvent);
    }
}
