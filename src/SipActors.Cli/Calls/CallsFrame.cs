using System.Globalization;

namespace SipActors.Cli.Calls;

/// <summary>What the progress view shows at one moment of a calls run.</summary>
internal sealed record CallsFrame(string Phase, TimeSpan Elapsed, int Accounts, CallsProgress Progress, double CallsPerSecond, long Retransmissions, long TransactionTimeouts)
{
    /// <summary>One line for logs and pipes.</summary>
    public string ToLine()
    {
        var p = Progress;
        var causes = p.FailuresByCause.Count == 0 ? "" : " (" + string.Join(", ", p.FailuresByCause.OrderByDescending(c => c.Value).Take(3).Select(c => $"{c.Key} {c.Value}")) + ")";
        return string.Create(CultureInfo.InvariantCulture,
            $"[{Elapsed.TotalSeconds,6:0.0}s] {Phase,-10} registered {p.Registered}/{Accounts}  calls {p.Attempted} placed, {p.Answered} answered, {p.Failed} failed{causes}, {p.Up} up  {CallsPerSecond:0.#} calls/s  setup p50 {p.SetupP50Ms:0.0} p99 {p.SetupP99Ms:0.0} ms  retransmissions {Retransmissions}");
    }
}
