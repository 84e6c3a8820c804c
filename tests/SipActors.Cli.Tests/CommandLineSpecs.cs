namespace SipActors.Cli.Tests;

/// <summary>Usage errors: exit code 2 and a message naming the option, file:line or key; nothing is run.</summary>
public sealed class CommandLineSpecs : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData("--server", "load", "--server", "http://127.0.0.1:5060", "--accounts", "3")]
    [InlineData("--server", "load", "--server", "udp://", "--accounts", "3")]
    [InlineData("--accounts", "load", "--accounts", "0")]
    [InlineData("--accounts", "load", "--accounts", "many")]
    [InlineData("--extra-header", "load", "--accounts", "3", "--extra-header", "NoColonHere")]
    [InlineData("--extra-header", "load", "--accounts", "3", "--extra-header", "Bad Name: value")]
    [InlineData("--expires", "load", "--accounts", "3", "--expires", "0")]
    [InlineData("--rate", "load", "--accounts", "3", "--rate", "-5")]
    [InlineData("--concurrency", "load", "--accounts", "3", "--concurrency", "0")]
    [InlineData("--accounts", "load")]
    [InlineData("--bogus", "load", "--accounts", "3", "--bogus")]
    [InlineData("--user-format", "load", "--accounts", "3", "--user-format", "sameuser")]
    [InlineData("--user-format", "load", "--accounts", "3", "--user-format", "user{1}")]
    [InlineData("--password-format", "load", "--accounts", "3", "--password-format", "pw-{")]
    [InlineData("--transport", "load", "--accounts", "3", "--transport", "sctp")]
    [InlineData("--config", "run")]
    public async Task Should_exit_2_naming_the_option(string named, params string[] args)
    {
        var result = await CliInvocation.RunAsync(args);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(named, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_exit_2_when_both_accounts_and_a_file_are_given()
    {
        var file = _files.Write("accounts.csv", "alice,pw-alice\n");

        var result = await CliInvocation.RunAsync(["load", "--accounts", "3", "--accounts-file", file]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("--accounts-file", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_exit_2_when_the_report_directory_does_not_exist()
    {
        var result = await CliInvocation.RunAsync(["load", "--accounts", "3", "--report", _files.PathOf("missing/report.json")]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("--report", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("alice,pw-alice\n# comment\n\nbob\n", 4)]
    [InlineData("alice,pw-alice\nbad user,pw\n", 2)]
    [InlineData("alice,pw-alice\nbob,\n", 2)]
    [InlineData("alice,pw-alice\n\nalice,pw-again\n", 3)]
    public async Task Should_exit_2_naming_the_file_and_line_of_a_malformed_account(string content, int line)
    {
        var file = _files.Write("accounts.csv", content);

        var result = await CliInvocation.RunAsync(["load", "--accounts-file", file]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"{file}:{line}:", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("pw-", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("alice,pw-alice\nbob;SECRET-1\n", 2)] // ';' as separator
    [InlineData("alice,pw-alice\n# tab-separated\nbob\tSECRET-2\n", 3)]
    [InlineData("bob;SECRET-3,Bob\n", 1)] // ';' then a comma: the "user" holds the password
    [InlineData("alice,pw-alice\nbob,SECRET\"-4\"\n", 2)] // a quote inside an unquoted field
    [InlineData("alice,pw-alice\n\nbob,\"SECRET-5\ncarol,pw-carol\n", 3)] // a quote never closed
    public async Task Should_exit_2_naming_the_line_of_a_bad_record_without_quoting_it(string content, int line)
    {
        var file = _files.Write("accounts.csv", content);

        var result = await CliInvocation.RunAsync(["load", "--accounts-file", file]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"{file}:{line}:", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", result.Error + result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("udp://user:SECRET-1@127.0.0.1:5060")]
    [InlineData("sip:user:SECRET-2@127.0.0.1")]
    [InlineData("user:SECRET-3@127.0.0.1:5090")]
    public async Task Should_exit_2_refusing_credentials_in_the_server_url_without_quoting_them(string server)
    {
        var result = await CliInvocation.RunAsync(["load", "--server", server, "--accounts", "1"]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("--server has credentials", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", result.Error + result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_exit_2_refusing_credentials_in_a_config_server_url()
    {
        var file = _files.Write("run.hocon", "sip-actors { accounts = [ { id = a, sip-server-ip = 127.0.0.1, sip-server-url = \"udp://a:SECRET@127.0.0.1:9\", register = true, user = a, password = p } ] }");
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var result = await CliInvocation.RunAsync(["run", "--config", file, "--exit-on-failure"], bound.Token);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("sip-actors.accounts[0]: SipServerUrl has credentials", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", result.Error + result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SECRET-{")]
    [InlineData("SECRET-{1}")]
    public async Task Should_exit_2_naming_a_bad_password_format_without_quoting_it(string format)
    {
        var result = await CliInvocation.RunAsync(["load", "--accounts", "3", "--password-format", format]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("--password-format", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", result.Error + result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_exit_2_when_the_accounts_file_is_missing()
    {
        var missing = _files.PathOf("none.csv");

        var result = await CliInvocation.RunAsync(["load", "--accounts-file", missing]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(missing, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_exit_2_when_the_config_file_is_missing()
    {
        var missing = _files.PathOf("none.hocon");

        var result = await CliInvocation.RunAsync(["run", "--config", missing]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(missing, result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sip-actors { register-expires = 60 }", "sip-actors.accounts")]
    [InlineData("sip-actors { accounts = [ { id = a, sip-server-url = \"udp://127.0.0.1:5060\", register = true, user = a, password = p } ] }", "sip-actors.accounts[0].sip-server-ip")]
    [InlineData("sip-actors { connect-timeout = soon, accounts = [] }", "sip-actors.connect-timeout")]
    [InlineData("sip-actors { accounts = [ { id = a, sip-server-ip = 127.0.0.1, sip-server-url = \"http://x\", register = true, user = a, password = p } ] }", "sip-actors.accounts[0]")]
    public async Task Should_exit_2_naming_the_file_and_key_of_a_bad_config(string hocon, string key)
    {
        var file = _files.Write("run.hocon", hocon);

        var result = await CliInvocation.RunAsync(["run", "--config", file]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(file, result.Error, StringComparison.Ordinal);
        Assert.Contains(key, result.Error, StringComparison.Ordinal);
    }

    private const string Account = "id = a, sip-server-ip = 127.0.0.1, sip-server-url = \"udp://127.0.0.1:9\", register = true, user = a";

    [Theory]
    // A character that starts no token: Akka's parser quotes the whole line in its message.
    [InlineData("sip-actors {\n  accounts = [ { " + Account + ", password = SECRET-1 @ } ]\n}\n", 2, 138)]
    // A missing closing brace at the end: Akka's parser accepts it and the run starts.
    [InlineData("sip-actors {\n  accounts = [ { " + Account + ", password = SECRET-2 } ]\n", 1, 12)]
    // A missing closing brace inside: the bracket after it closes the wrong kind.
    [InlineData("sip-actors {\n  accounts = [\n    { " + Account + ", password = SECRET-5\n  ]\n}\n", 4, 3)]
    // A quoted password left open.
    [InlineData("sip-actors {\n  accounts = [ { " + Account + ", password = \"SECRET-3 } ]\n}\n", 2, 129)]
    // An extra closer: Akka's parser loops forever on it.
    [InlineData("sip-actors { accounts = [ { " + Account + ", password = SECRET-4 } } ]\n", 1, 151)]
    public async Task Should_exit_2_naming_the_file_line_and_column_of_a_hocon_syntax_error_without_its_text(string hocon, int line, int column)
    {
        var file = _files.Write("run.hocon", hocon);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var result = await Task.Run(() => CliInvocation.RunAsync(["run", "--config", file, "--exit-on-failure"], bound.Token)).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"{file}:{line}:{column}: not valid HOCON", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", result.Error + result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("load")]
    [InlineData("run")]
    public async Task Should_list_the_options_in_help(string command)
    {
        var result = await CliInvocation.RunAsync([command, "--help"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(command == "load" ? "--accounts-file" : "--exit-on-failure", result.Output, StringComparison.Ordinal);
    }
}
