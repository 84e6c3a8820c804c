using System.Globalization;
using System.Text.RegularExpressions;
using SipActors.IntegrationTests.Peers;

namespace SipActors.IntegrationTests.Cluster;

/// <summary>REGISTER requests Kamailio received so far (its core statistic, kept by the kex module), challenged ones and un-REGISTERs included.</summary>
internal static partial class KamailioRegisterCount
{
    public static async Task<long> GetAsync(KamailioFixture kamailio)
    {
        var kamcmd = ExternalTools.Find("kamcmd", "apt-get install kamailio");
        var (code, output) = await ExternalTools.RunAsync(kamcmd, ["-s", $"unix:{kamailio.RunDirectory}/ctl", "stats.get_statistics", "core:"], TimeSpan.FromSeconds(10));
        var match = Registers().Match(output);
        if (code != 0 || !match.Success)
        {
            throw new InvalidOperationException($"kamcmd stats failed ({code}): {output}");
        }
        return long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    // The name is rcv_requests_register in Kamailio 5.6 (rcv_reqs_register in some builds' strings).
    [GeneratedRegex(@"core:rcv_req\w*_register\s*=\s*(\d+)")]
    private static partial Regex Registers();
}
