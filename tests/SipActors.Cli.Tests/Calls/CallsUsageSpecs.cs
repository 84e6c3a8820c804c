namespace SipActors.Cli.Tests.Calls;

/// <summary>Command lines <c>sipactors calls</c> refuses before anything runs: exit 2, the message naming the option.</summary>
public sealed class CallsUsageSpecs
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("--cps", "calls", "--accounts", "10", "--duration", "5")]
    [InlineData("--cps", "calls", "--accounts", "10", "--cps", "fast", "--duration", "5")]
    [InlineData("--cps", "calls", "--accounts", "10", "--cps", "-3", "--duration", "5")]
    [InlineData("--duration S", "calls", "--accounts", "10", "--cps", "5")]
    [InlineData("--duration", "calls", "--accounts", "10", "--cps", "5", "--duration", "0")]
    [InlineData("--accounts", "calls", "--cps", "5", "--duration", "5")]
    [InlineData("--accounts must be at least 2", "calls", "--accounts", "1", "--cps", "5", "--duration", "5")]
    [InlineData("--callees must be fewer", "calls", "--accounts", "10", "--callees", "10", "--cps", "5", "--duration", "5")]
    [InlineData("--callees and --target", "calls", "--accounts", "10", "--callees", "3", "--target", "sip:svc@127.0.0.1:5099", "--cps", "5", "--duration", "5")]
    [InlineData("--target", "calls", "--accounts", "10", "--target", "http://example.invalid/", "--cps", "5", "--duration", "5")]
    [InlineData("--hold", "calls", "--accounts", "10", "--cps", "5", "--duration", "5", "--hold", "-1")]
    [InlineData("--hold-jitter", "calls", "--accounts", "10", "--cps", "5", "--duration", "5", "--hold-jitter", "soon")]
    [InlineData("--max-concurrent", "calls", "--accounts", "10", "--cps", "5", "--duration", "5", "--max-concurrent", "0")]
    [InlineData("--calls", "calls", "--accounts", "10", "--cps", "5", "--calls", "0")]
    [InlineData("--server", "calls", "--accounts", "10", "--cps", "5", "--duration", "5", "--server", "ftp://127.0.0.1:5060")]
    [InlineData("--transport", "calls", "--accounts", "10", "--cps", "5", "--duration", "5", "--transport", "sctp")]
    [InlineData("--local 'localhost'", "calls", "--accounts", "10", "--cps", "5", "--duration", "5", "--local", "localhost")]
    [InlineData("--tls-ca", "calls", "--accounts", "10", "--cps", "5", "--duration", "5", "--tls-ca", "/nonexistent/ca.pem")]
    [InlineData("--tls-ca and --tls-insecure", "calls", "--accounts", "10", "--cps", "5", "--duration", "5", "--tls-ca", "/etc/hostname", "--tls-insecure")]
    public async Task Should_refuse_a_wrong_command_line_naming_the_option(string named, params string[] args)
    {
        var result = await CliInvocation.RunAsync(args).WaitAsync(Bound);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Contains(named, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("sipactors calls:", result.Output, StringComparison.Ordinal); // nothing ran
    }

    [Fact]
    public async Task Should_refuse_a_config_file_with_an_unknown_key_or_none_at_all()
    {
        using var files = new TempFiles();
        var misspelt = files.Write("calls.hocon", "sip-actors.transport.udp.server-check-timout = 30s\n");

        var unknown = await CliInvocation.RunAsync(["calls", "--accounts", "4", "--cps", "5", "--duration", "5", "--config", misspelt]).WaitAsync(Bound);
        var missing = await CliInvocation.RunAsync(["calls", "--accounts", "4", "--cps", "5", "--duration", "5", "--config", files.PathOf("none.hocon")]).WaitAsync(Bound);

        Assert.True(unknown.ExitCode == ExitCodes.Usage, unknown.ToString());
        Assert.Contains("server-check-timout", unknown.Error, StringComparison.Ordinal);
        Assert.True(missing.ExitCode == ExitCodes.Usage, missing.ToString());
        Assert.Contains("--config", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_refuse_an_accounts_file_of_one_account_without_a_target()
    {
        using var files = new TempFiles();
        var file = files.Write("one.csv", "user,password\nalice,pw-alice\n");

        var result = await CliInvocation.RunAsync(["calls", "--accounts-file", file, "--cps", "5", "--duration", "5"]).WaitAsync(Bound);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Contains("--accounts-file", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("pw-alice", result.Error + result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_say_in_its_help_that_no_media_is_sent()
    {
        var result = await CliInvocation.RunAsync(["calls", "--help"]).WaitAsync(Bound);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("no media", result.Output, StringComparison.Ordinal);
        foreach (var option in new[] { "--cps", "--callees", "--target", "--max-concurrent", "--hold", "--hold-jitter", "--duration", "--calls", "--report", "--html", "--stats", "--config" })
        {
            Assert.Contains(option, result.Output, StringComparison.Ordinal);
        }
    }
}
