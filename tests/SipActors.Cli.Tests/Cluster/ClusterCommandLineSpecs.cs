namespace SipActors.Cli.Tests.Cluster;

/// <summary>The cluster options' usage errors: one line each, exit code 2, before anything starts.</summary>
public sealed class ClusterCommandLineSpecs
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    public static TheoryData<string[], string> Errors() => new()
    {
        { ["node", "--seed", "127.0.0.1:4053"], "Option '--cluster' is required." },
        { ["node", "--cluster", "127.0.0.1:4053"], "--cluster needs at least one --seed HOST:PORT" },
        { ["node", "--cluster", "127.0.0.1", "--seed", "127.0.0.1:4053"], "--cluster '127.0.0.1' is not HOST:PORT" },
        { ["node", "--cluster", "127.0.0.1:70000", "--seed", "127.0.0.1:4053"], "--cluster '127.0.0.1:70000' does not end with a port 0..65535" },
        { ["node", "--cluster", "127.0.0.1:4053", "--seed", "127.0.0.1:0"], "--seed '127.0.0.1:0' does not end with a port 1..65535" },
        { ["node", "--cluster", "[::1:4053", "--seed", "127.0.0.1:4053"], "--cluster '[::1:4053' is not [IPv6]:PORT" },
        { ["node", "--cluster", "10.1.2.3:4053", "--seed", "10.1.2.3:4053"], "--cluster 10.1.2.3:4053: not a loopback address" },
        { ["node", "--cluster", "127.0.0.1:4053", "--seed", "example.test:4053"], "--seed example.test:4053: not a loopback address" },
        { ["node", "--cluster", "127.0.0.1:4053", "--seed", "127.0.0.1:4053", "--tls-cert", "/nonexistent/cert.pem", "--tls-insecure"], "--tls-cert and --tls-insecure exclude each other" },
        { ["node", "--cluster", "127.0.0.1:4053", "--seed", "127.0.0.1:4053", "--local", "node-a.example"], "--local 'node-a.example' is not an IP address" },
        { ["node", "--cluster", "127.0.0.1:4053", "--seed", "127.0.0.1:4053", "--tls-ca", "/nonexistent/ca.pem"], "--tls-ca '/nonexistent/ca.pem' does not exist" },
        { ["load", "--cluster", "127.0.0.1:4053", "--seed", "127.0.0.1:4053", "--accounts", "2", "--local", "127.0.0.2"], "--local with --cluster: the accounts connect from the nodes" },
        { ["load", "--cluster", "127.0.0.1:4053", "--seed", "127.0.0.1:4053", "--accounts", "2", "--trace-errors", "/tmp/errors.txt"], "--trace-errors with --cluster: the SIP stacks are the nodes'" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task Should_refuse_a_cluster_command_line_in_words(string[] args, string expected)
    {
        var result = await CliInvocation.RunAsync(args).WaitAsync(Bound);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }
}
