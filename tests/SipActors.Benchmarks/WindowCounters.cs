using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace SipActors.Benchmarks;

/// <summary>
/// What a measured window cost, in figures that do not depend on how busy the machine is: bytes
/// allocated, thread-pool work items and context switches (the process's, every thread included:
/// getrusage, not /proc/self/status, which counts the main thread only), next to CPU time, which does.
/// </summary>
internal readonly record struct WindowCounters(long Allocated, TimeSpan Cpu, long WorkItems, long Voluntary, long Involuntary, int Gen0, int Gen1, int Gen2, TimeSpan GcPause)
{
    public static WindowCounters Now()
    {
        var (voluntary, involuntary) = ContextSwitches();
        return new(GC.GetTotalAllocatedBytes(precise: false), Process.GetCurrentProcess().TotalProcessorTime, ThreadPool.CompletedWorkItemCount,
            voluntary, involuntary, GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());
    }

    /// <summary>One line per registration: CPU, bytes, work items, voluntary and involuntary switches; then the collections of the window.</summary>
    public static string PerRegistration(WindowCounters before, WindowCounters after, int registrations)
    {
        double n = Math.Max(1, registrations);
        return string.Create(CultureInfo.InvariantCulture,
            $"per registration: {(after.Cpu - before.Cpu).TotalMicroseconds / n:0} us CPU, {(after.Allocated - before.Allocated) / n:0} B allocated, " +
            $"{(after.WorkItems - before.WorkItems) / n:0.00} thread-pool work items, {(after.Voluntary - before.Voluntary) / n:0.00} voluntary + " +
            $"{(after.Involuntary - before.Involuntary) / n:0.00} involuntary context switches; GCs gen0 {after.Gen0 - before.Gen0}, gen1 {after.Gen1 - before.Gen1}, gen2 {after.Gen2 - before.Gen2}, " +
            $"paused {(after.GcPause - before.GcPause).TotalMicroseconds / n:0.0} us per registration");
    }

    private static (long Voluntary, long Involuntary) ContextSwitches()
    {
        if (!OperatingSystem.IsLinux())
        {
            return (0, 0);
        }
        return getrusage(0 /* RUSAGE_SELF */, out var usage) == 0 ? (usage.Nvcsw, usage.Nivcsw) : (0, 0);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UtimeSec, UtimeUsec, StimeSec, StimeUsec;
        public long Maxrss, Ixrss, Idrss, Isrss, Minflt, Majflt, Nswap, Inblock, Oublock, Msgsnd, Msgrcv, Nsignals, Nvcsw, Nivcsw;
    }

    [DllImport("libc", SetLastError = true)]
#pragma warning disable SYSLIB1054 // a benchmark helper; LibraryImport's generator is not worth it here
    private static extern int getrusage(int who, out RUsage usage);
#pragma warning restore SYSLIB1054
}
