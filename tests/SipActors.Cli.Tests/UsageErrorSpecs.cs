using System.Net;
using System.Net.Sockets;

namespace SipActors.Cli.Tests;

/// <summary>
/// Usage errors a first-time user met: each is one line in words, exit code 2, found before
/// anything runs, and never a .NET type name or a stack trace.
/// </summary>
public sealed class UsageErrorSpecs : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Should_name_a_udp_address_already_in_use_in_one_line()
    {
        using var taken = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)taken.Client.LocalEndPoint!).Port;

        var result = await CliInvocation.RunAsync(["registrar", "--listen", $"udp://127.0.0.1:{port}"]).WaitAsync(Bound);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Equal($"sipactors registrar: udp://127.0.0.1:{port} is already in use (another process listens there): pick another --listen port", result.Error.Trim());
    }

    [Fact]
    public async Task Should_name_a_tcp_address_already_in_use_in_one_line()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        using var free = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var udpPort = ((IPEndPoint)free.Client.LocalEndPoint!).Port;
        free.Dispose();

        var result = await CliInvocation.RunAsync(["registrar", "--listen", $"udp://127.0.0.1:{udpPort},tcp://127.0.0.1:{port}"]).WaitAsync(Bound);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Equal($"sipactors registrar: tcp://127.0.0.1:{port} is already in use (another process listens there): pick another --listen port", result.Error.Trim());
    }

    [Theory]
    [InlineData("--accounts", "abc", "--accounts 'abc' is not a whole number")]
    [InlineData("--expires", "soon", "--expires 'soon' is not a whole number of seconds")]
    [InlineData("--rate", "fast", "--rate 'fast' is not a number")]
    [InlineData("--concurrency", "1.5", "--concurrency '1.5' is not a whole number")]
    [InlineData("--duration", "1m", "--duration '1m' is not a number of seconds")]
    public async Task Should_say_in_words_what_is_wrong_with_a_number(string option, string value, string expected)
    {
        string[] args = option == "--accounts" ? ["load", option, value] : ["load", "--accounts", "3", option, value];

        var result = await CliInvocation.RunAsync(args).WaitAsync(Bound);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--report")]
    [InlineData("--html")]
    public async Task Should_refuse_a_report_path_that_is_a_directory_before_the_run(string option)
    {
        var directory = Directory.CreateDirectory(_files.PathOf("reports")).FullName;

        var result = await CliInvocation.RunAsync(["load", "--accounts", "3", option, directory]).WaitAsync(Bound);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Contains($"{option} '{directory}' is a directory", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("sipactors load:", result.Output, StringComparison.Ordinal); // nothing ran
    }

    [Theory]
    [InlineData("pasword = SECRET-1", "pasword")]
    [InlineData("password = SECRET-2, regster = true", "regster")]
    public async Task Should_report_a_misspelt_account_key_as_unknown(string keys, string misspelt)
    {
        var file = _files.Write("run.hocon", $"sip-actors {{ accounts = [ {{ id = a, sip-server-ip = 127.0.0.1, sip-server-url = \"udp://127.0.0.1:9\", register = true, user = a, {keys} }} ] }}");

        var result = await CliInvocation.RunAsync(["run", "--config", file]).WaitAsync(Bound);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Contains($"sip-actors.accounts[0].{misspelt} is not a known account setting", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", result.Error + result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_report_a_misspelt_setting_as_unknown()
    {
        var file = _files.Write("run.hocon", "sip-actors { register-expire = 60, accounts = [ { id = a, sip-server-ip = 127.0.0.1, sip-server-url = \"udp://127.0.0.1:9\" } ] }");

        var result = await CliInvocation.RunAsync(["run", "--config", file]).WaitAsync(Bound);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Contains("sip-actors.register-expire is not a known setting", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_accept_every_known_account_key()
    {
        // Every key the unknown-key check lets through is one SipActorsSettings reads: a key it
        // knows but the settings do not would be ignored again.
        var values = new Dictionary<string, string>
        {
            ["id"] = "a", ["sip-server-ip"] = "127.0.0.1", ["sip-server-url"] = "\"udp://127.0.0.1:9\"", ["display-name"] = "A",
            ["register"] = "true", ["user"] = "a", ["password"] = "p", ["remote-address"] = "10.0.0.1", ["user-agent"] = "ua",
            ["session-timers"] = "true", ["retry-connect"] = "true", ["auth-user"] = "auth-a", ["incoming-calls"] = "ring", ["answer-sdp"] = "\"v=0\"",
            ["no-answer-timeout"] = "30", ["register-expires"] = "120", ["extra-headers"] = "[\"X-A: b\"]",
        };
        Assert.Equal(values.Keys.Order(), SipActors.Cli.Configuration.KnownSettings.AccountKeys.Order());
        var file = _files.Write("run.hocon", $"sip-actors {{ accounts = [ {{ {string.Join(", ", values.Select(v => $"{v.Key} = {v.Value}"))} }} ] }}");

        var run = SipActors.Cli.Run.RunConfiguration.Load(file);

        var account = Assert.Single(run.Settings.Accounts);
        Assert.Equal(("A", "10.0.0.1", "ua", 30, 120), (account.Parameters!.DisplayName, account.Parameters.RemoteAddress, account.Parameters.UserAgent, account.Parameters.NoAnswerTimeout, account.Parameters.RegisterExpires));
        Assert.Equal(("auth-a", true), (account.Parameters.AuthUser, account.Parameters.RetryConnect));
    }
}
