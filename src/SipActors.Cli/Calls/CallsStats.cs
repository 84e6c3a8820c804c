using System.Globalization;

namespace SipActors.Cli.Calls;

/// <summary>The <c>--stats</c> CSV of a calls run: one row per sample, cumulative counts and the moment's figures.</summary>
internal static class CallsStats
{
    public const string Header = "second,phase,registered,attempted,answered,failed,completed,up,peakUp,callsPerSecond,setupP50Ms,setupP99Ms,retransmissions,transactionTimeouts,failuresByCause";

    public static string Row(CallsFrame frame)
    {
        var p = frame.Progress;
        // Causes as "Busy=3;Request Timeout=1": one field, no comma inside.
        var causes = string.Join(';', p.FailuresByCause.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"));
        return string.Create(CultureInfo.InvariantCulture,
            $"{frame.Elapsed.TotalSeconds:0.###},{frame.Phase},{p.Registered},{p.Attempted},{p.Answered},{p.Failed},{p.Completed},{p.Up},{p.PeakUp},{frame.CallsPerSecond:0.##},{p.SetupP50Ms:0.###},{p.SetupP99Ms:0.###},{frame.Retransmissions},{frame.TransactionTimeouts},{causes}");
    }
}
