namespace SipActors.IntegrationTests.Peers;

/// <summary>Runs SIPp (Debian package sip-tester) with a scenario from tests/peers/sipp, on loopback, bounded in time.</summary>
public static class SippRunner
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string scenario, string target, string service, int calls = 1,
        TimeSpan? timeout = null, params string[] extra)
    {
        var sipp = ExternalTools.Find("sipp", "apt-get install sip-tester");
        var path = Path.Combine(AppContext.BaseDirectory, "peers", "sipp", scenario);
        var work = Directory.CreateTempSubdirectory("sipp-").FullName;
        try
        {
            var limit = timeout ?? TimeSpan.FromSeconds(30);
            string[] arguments =
            [
                target, "-sf", path, "-s", service, "-i", "127.0.0.1", "-m", calls.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "-t", "u1", "-nostdin", "-timeout", $"{(int)limit.TotalSeconds}s", "-timeout_error", "-recv_timeout", "10000",
                "-trace_err", "-error_file", Path.Combine(work, "errors.log"), .. extra,
            ];
            var (code, output) = await ExternalTools.RunAsync(sipp, arguments, limit + TimeSpan.FromSeconds(10));
            var errors = Path.Combine(work, "errors.log");
            if (File.Exists(errors))
            {
                output += "\n--- sipp errors ---\n" + await File.ReadAllTextAsync(errors);
            }
            return (code, output);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
