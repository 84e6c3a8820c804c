using System.Net;
using System.Net.Sockets;
using SipActors.Cli.Load;
using SipActors.Sip.Registrar;
using SipActors.Sip.Tests.Transports;

namespace SipActors.Cli.Tests.Load;

/// <summary>The options of <c>sipactors load</c> beyond the count: timeouts, TLS checks, stopping early, a settings file.</summary>
[Collection(NetworkCollection.Name)]
public sealed class LoadOptionsSpecs : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Should_fail_a_connect_after_the_connect_timeout()
    {
        // A UDP server that never answers: the connect's OPTIONS gets nothing back.
        using var silent = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var reportPath = _files.PathOf("report.json");

        var result = await CliInvocation.RunAsync(["load", "--server", $"udp://{silent.Client.LocalEndPoint}", "--accounts", "2", "--connect-timeout", "1.5", "--plain", "--report", reportPath]).WaitAsync(Bound);

        Assert.True(result.ExitCode == ExitCodes.Failure, result.ToString());
        var report = ReadReport(reportPath);
        Assert.Equal(2, report.Failed);
        Assert.Equal(1.5, report.Settings!.ConnectTimeoutSeconds);
        Assert.Contains(report.FailureDetails.Values.SelectMany(d => d), d => d.Contains("did not connect within 1.5 s", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Should_refuse_an_unverified_tls_server_and_say_why()
    {
        await using var registrar = StartTcpRegistrar();
        await using var relay = new TlsRelay(registrar.TcpEndPoint!);
        var reportPath = _files.PathOf("report.json");

        var result = await CliInvocation.RunAsync(["load", "--server", $"tls://{relay.EndPoint}", "--accounts", "3", "--plain", "--report", reportPath]).WaitAsync(Bound);

        Assert.True(result.ExitCode == ExitCodes.Failure, result.ToString());
        var report = ReadReport(reportPath);
        Assert.Equal(3, report.FailuresByCause["Connection Error"]);
        var detail = Assert.Single(report.FailureDetails["Connection Error"]);
        Assert.Contains("certificate", detail, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(detail, result.Output, StringComparison.Ordinal); // the summary shows it too
    }

    [Fact]
    public async Task Should_register_against_a_tls_server_whose_certificate_is_given()
    {
        await using var registrar = StartTcpRegistrar();
        await using var relay = new TlsRelay(registrar.TcpEndPoint!);
        var pem = relay.WritePem(_files.PathOf("server.pem"));
        var reportPath = _files.PathOf("report.json");

        var result = await CliInvocation.RunAsync(["load", "--server", $"tls://{relay.EndPoint}", "--accounts", "3", "--tls-cert", pem, "--plain", "--report", reportPath]).WaitAsync(Bound);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        var report = ReadReport(reportPath);
        Assert.Equal((3, 3), (report.Registered, report.Unregistered));
        Assert.Equal("tls", report.Settings!.Transport);
        Assert.DoesNotContain("WARNING", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_trust_a_server_signed_by_the_authority_of_tls_ca_and_no_other()
    {
        await using var registrar = StartTcpRegistrar();
        using var authority = TestCertificates.Authority();
        await using var signed = new TlsRelay(registrar.TcpEndPoint!, TestCertificates.Server(authority));
        await using var selfSigned = new TlsRelay(registrar.TcpEndPoint!);
        var ca = _files.Write("lab-ca.pem", authority.ExportCertificatePem());
        var reportPath = _files.PathOf("report.json");
        var refusedPath = _files.PathOf("refused.json");

        var trusted = await CliInvocation.RunAsync(["load", "--server", $"tls://{signed.EndPoint}", "--accounts", "3", "--tls-ca", ca, "--plain", "--report", reportPath]).WaitAsync(Bound);
        var refused = await CliInvocation.RunAsync(["load", "--server", $"tls://{selfSigned.EndPoint}", "--accounts", "2", "--tls-ca", ca, "--plain", "--report", refusedPath]).WaitAsync(Bound);

        Assert.True(trusted.ExitCode == ExitCodes.Success, trusted.ToString());
        Assert.Equal((3, 3), (ReadReport(reportPath).Registered, ReadReport(reportPath).Unregistered));
        Assert.Equal($"the authorities of {ca}", ReadReport(reportPath).Settings!.TlsCheck);
        Assert.True(refused.ExitCode == ExitCodes.Failure, refused.ToString());
        Assert.Equal(2, ReadReport(refusedPath).FailuresByCause["Connection Error"]);
    }

    [Fact]
    public async Task Should_send_from_the_local_address_over_udp_and_tcp()
    {
        await using var registrar = StartTcpRegistrar();
        var udpReport = _files.PathOf("udp.json");
        var tcpReport = _files.PathOf("tcp.json");

        var udp = await CliInvocation.RunAsync(["load", "--server", $"udp://{registrar.UdpEndPoint}", "--accounts", "2", "--local", "127.0.0.2", "--no-unregister", "--plain", "--report", udpReport]).WaitAsync(Bound);
        var tcp = await CliInvocation.RunAsync(["load", "--server", $"tcp://{registrar.TcpEndPoint}", "--accounts", "2", "--first", "10", "--local", "127.0.0.3", "--no-unregister", "--plain", "--report", tcpReport]).WaitAsync(Bound);

        Assert.True(udp.ExitCode == ExitCodes.Success, udp.ToString());
        Assert.True(tcp.ExitCode == ExitCodes.Success, tcp.ToString());
        Assert.Contains("@127.0.0.2:", Assert.Single(registrar.GetBindings("user0000")).ContactUri, StringComparison.Ordinal);
        Assert.Contains("@127.0.0.3:", Assert.Single(registrar.GetBindings("user0010")).ContactUri, StringComparison.Ordinal);
        Assert.Equal("127.0.0.2:0", ReadReport(udpReport).Settings!.LocalAddress);
    }

    [Fact]
    public async Task Should_register_without_checking_the_certificate_with_tls_insecure_and_warn_loudly()
    {
        await using var registrar = StartTcpRegistrar();
        await using var relay = new TlsRelay(registrar.TcpEndPoint!);
        var reportPath = _files.PathOf("report.json");

        var result = await CliInvocation.RunAsync(["load", "--server", $"tls://{relay.EndPoint}", "--accounts", "3", "--tls-insecure", "--plain", "--report", reportPath]).WaitAsync(Bound);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Equal(3, ReadReport(reportPath).Registered);
        Assert.StartsWith("WARNING: --tls-insecure: the TLS/WSS server's certificate is NOT checked", result.Error, StringComparison.Ordinal);
        Assert.Equal("none (--tls-insecure)", ReadReport(reportPath).Settings!.TlsCheck);
    }

    [Fact]
    public async Task Should_stop_the_ramp_after_max_failures()
    {
        var reportPath = _files.PathOf("report.json");

        // 5 new accounts a second, every one refused: 60 would take 12 s; the third failure ends the ramp.
        var result = await CliInvocation.RunAsync(["load", "--accounts", "60", "--rate", "5", "--password-format", "wrong-{user}", "--max-failures", "3", "--plain", "--report", reportPath]).WaitAsync(Bound);

        Assert.True(result.ExitCode == ExitCodes.Failure, result.ToString());
        var report = ReadReport(reportPath);
        Assert.InRange(report.Failed, 3, 59);
        Assert.Equal(3, report.Settings!.MaxFailures);
        Assert.Contains("note: stopped early: ", result.Output, StringComparison.Ordinal);
        Assert.Contains("(--max-failures 3)", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_take_sip_actors_settings_from_a_config_file_with_the_command_line_winning()
    {
        var config = _files.Write("load.hocon", "sip-actors { connect-timeout = 2s, max-concurrent-connects = 3, timers.t1 = 400ms }");
        var first = _files.PathOf("first.json");
        var second = _files.PathOf("second.json");

        var fromFile = await CliInvocation.RunAsync(["load", "--accounts", "4", "--config", config, "--report", first]).WaitAsync(Bound);
        var overridden = await CliInvocation.RunAsync(["load", "--accounts", "4", "--config", config, "--connect-timeout", "4", "--concurrency", "9", "--report", second]).WaitAsync(Bound);

        Assert.True(fromFile.ExitCode == ExitCodes.Success, fromFile.ToString());
        Assert.True(overridden.ExitCode == ExitCodes.Success, overridden.ToString());
        Assert.Equal((2.0, 3), (ReadReport(first).Settings!.ConnectTimeoutSeconds, ReadReport(first).Settings!.Concurrency));
        Assert.Equal((4.0, 9), (ReadReport(second).Settings!.ConnectTimeoutSeconds, ReadReport(second).Settings!.Concurrency));
    }

    [Fact]
    public async Task Should_start_the_accounts_at_the_pace_of_the_rate_stages()
    {
        var reportPath = _files.PathOf("report.json");

        // 5/s rising to 20/s over 1 s starts 12.5 accounts in the first second, the other 27.5 at 20/s in 1.375 s.
        var result = await CliInvocation.RunAsync(["load", "--accounts", "40", "--rate", "5:20/1s,20", "--plain", "--report", reportPath]).WaitAsync(Bound);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        var report = ReadReport(reportPath);
        Assert.Equal(40, report.Registered);
        Assert.Equal("5:20/1s,20", report.Settings!.RateStages);
        Assert.Null(report.Settings.Rate);
        // The 40th account starts 2.4 s in at the earliest (all at once, the ramp took 0.8 s here): a
        // lower bound, which a slow machine only lengthens.
        Assert.True(report.RampSeconds >= 2.0, $"ramp {report.RampSeconds} s");
        Assert.Contains("rate 5:20/1s,20 (stages)", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sip-actors { conect-timeout = 2s }", "sip-actors.conect-timeout is not a known setting (did you mean sip-actors.connect-timeout?)")]
    [InlineData("sip-actors { accounts = [ { id = a, sip-server-ip = 127.0.0.1, sip-server-url = \"udp://127.0.0.1:9\" } ] }", "sip-actors.accounts is for 'sipactors run'")]
    [InlineData("sip-actors { connect-timeout = 2s ", "not valid HOCON")]
    public async Task Should_exit_2_on_a_bad_config_file_for_load(string hocon, string expected)
    {
        var config = _files.Write("load.hocon", hocon);

        var result = await CliInvocation.RunAsync(["load", "--accounts", "2", "--config", config]).WaitAsync(Bound);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--connect-timeout", "0")]
    [InlineData("--max-failures", "0")]
    [InlineData("--tls-cert", "/nonexistent/server.pem")]
    [InlineData("--tls-ca", "/nonexistent/ca.pem")]
    [InlineData("--local", "localhost")]
    [InlineData("--local", "127.0.0.1:99999")]
    [InlineData("--rate", "100,200/5s")]
    public async Task Should_exit_2_naming_a_bad_option_value(string option, string value)
    {
        var result = await CliInvocation.RunAsync(["load", "--accounts", "2", option, value]).WaitAsync(Bound);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Contains(option, result.Error, StringComparison.Ordinal);
    }

    private static EmbeddedRegistrar StartTcpRegistrar()
        => EmbeddedRegistrar.Start(new EmbeddedRegistrarOptions { UdpEndPoint = new IPEndPoint(IPAddress.Loopback, 0), TcpEndPoint = new IPEndPoint(IPAddress.Loopback, 0) });

    private static LoadReport ReadReport(string path)
        => LoadReportJson.Deserialize(File.ReadAllText(path)) ?? throw new InvalidOperationException("empty report");
}
