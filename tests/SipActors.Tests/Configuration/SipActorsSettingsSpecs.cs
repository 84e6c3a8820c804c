using SipActors.Calls;
using Akka.Configuration;
using SipActors.Configuration;

namespace SipActors.Tests.Configuration;

public class SipActorsSettingsSpecs
{
    [Fact]
    public void Should_read_the_shipped_defaults()
    {
        var settings = SipActorsSettings.Create();

        Assert.Equal(300, settings.RegisterExpires);
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(6)), (settings.ConnectionRecoveryMinInterval, settings.ConnectionRecoveryMaxInterval));
        Assert.Equal(2000, settings.Supervisor.ConnectRateLimit);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.Supervisor.Account.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(500), settings.Timers.T1);
        Assert.Equal(8388608, settings.UdpReceiveBufferSize);
        Assert.Equal(200, settings.Supervisor.MaxConcurrentConnects);
        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(4), 1),
            (settings.UdpServerCheck.Interval, settings.UdpServerCheck.Timeout, settings.UdpServerCheck.FailuresToLose));
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(5)),
            (settings.Supervisor.Account.RegistrationRetry.BaseDelay, settings.Supervisor.Account.RegistrationRetry.MaxDelay));
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10)), (settings.KeepAlive.Interval, settings.KeepAlive.PongTimeout));
        Assert.Empty(settings.Accounts);
        Assert.Null(settings.LocalEndPoint);
    }

    [Theory]
    [InlineData("127.0.0.2", "127.0.0.2:0")]
    [InlineData("127.0.0.2:5070", "127.0.0.2:5070")]
    [InlineData("[::1]:5070", "[::1]:5070")]
    public void Should_read_the_local_address(string value, string endPoint)
    {
        var settings = SipActorsSettings.Create(ConfigurationFactory.ParseString($"sip-actors.transport.local-address = \"{value}\""));

        Assert.Equal(endPoint, settings.LocalEndPoint?.ToString());
    }

    [Fact]
    public void Should_let_configuration_values_beat_the_defaults_and_read_accounts()
    {
        var config = ConfigurationFactory.ParseString("""
            sip-actors {
              connect-rate-limit = 50
              timers.t1 = 250ms
              transport.udp.server-check-interval = 0s
              transport.keep-alive-interval = 0s
              accounts = [
                { id = alice, sip-server-ip = 127.0.0.1, sip-server-url = "udp://127.0.0.1:5060", register = true,
                  user = alice, password = pw-alice, display-name = "Alice", extra-headers = ["X-Test: 1"],
                  incoming-calls = auto-answer, answer-sdp = "v=0", no-answer-timeout = 20, session-timers = true }
                { id = bob, sip-server-ip = 127.0.0.1, sip-server-url = "udp://127.0.0.1:5060" }
              ]
            }
            """);

        var settings = SipActorsSettings.Create(config);

        Assert.Equal(50, settings.Supervisor.ConnectRateLimit);
        Assert.Equal(TimeSpan.FromMilliseconds(250), settings.Timers.T1);
        Assert.Equal(TimeSpan.Zero, settings.UdpServerCheck.Interval); // zero turns the check off
        Assert.False(settings.KeepAlive.Enabled); // and zero turns keep-alives off
        Assert.Equal(2, settings.Accounts.Count);
        var alice = settings.Accounts[0];
        Assert.Equal("alice", alice.Account.Value);
        Assert.Equal((IncomingCallPolicy.AutoAnswer, "v=0", 20, true),
            (alice.Parameters!.IncomingCalls, alice.Parameters.AnswerSdp, alice.Parameters.NoAnswerTimeout, alice.Parameters.SessionTimers));
        var bob = settings.Accounts[1].Parameters!;
        Assert.Equal((IncomingCallPolicy.Ring, null, 60, false), (bob.IncomingCalls, bob.AnswerSdp, bob.NoAnswerTimeout, bob.SessionTimers));
        Assert.Equal(("udp://127.0.0.1:5060", true, "alice", 300, "X-Test: 1"),
            (alice.Parameters!.SipServerUrl, alice.Parameters.Register, alice.Parameters.User, alice.Parameters.RegisterExpires, alice.Parameters.ExtraHeaders[0]));
        Assert.DoesNotContain("pw-alice", alice.Parameters.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sip-actors.connect-rate-limit = -5", "sip-actors.connect-rate-limit")]
    [InlineData("sip-actors.timers.t1 = banana", "sip-actors.timers.t1")]
    [InlineData("sip-actors.transport.udp.server-check-timeout = 0s", "sip-actors.transport.udp.server-check-timeout")]
    [InlineData("sip-actors.max-concurrent-connects = 0", "sip-actors.max-concurrent-connects")]
    [InlineData("sip-actors.transport.local-address = sip.example.com", "sip-actors.transport.local-address")]
    [InlineData("sip-actors.connection-recovery-max-interval = 1s", "sip-actors.connection-recovery-max-interval")]
    [InlineData("sip-actors.registration-retry.max-delay = 1s", "sip-actors.registration-retry.max-delay")]
    [InlineData("sip-actors.registration-retry.base-delay = 0s", "sip-actors.registration-retry.base-delay")]
    [InlineData("sip-actors.accounts = [ { id = x, sip-server-url = \"udp://127.0.0.1:5060\" } ]", "sip-actors.accounts[0].sip-server-ip")]
    [InlineData("sip-actors.accounts = [ { id = x, sip-server-ip = h, sip-server-url = \"udp://h:5060\", register = true } ]", "sip-actors.accounts[0]")]
    [InlineData("sip-actors.accounts = [ { id = x, sip-server-ip = h, sip-server-url = \"udp://h:5060\", incoming-calls = answer-machine } ]", "sip-actors.accounts[0].incoming-calls")]
    [InlineData("sip-actors.accounts = [ { id = x, sip-server-ip = h, sip-server-url = \"udp://h:5060\", no-answer-timeout = 0 } ]", "sip-actors.accounts[0]")]
    public void Should_name_the_bad_key(string hocon, string key)
    {
        var error = Assert.Throws<SipActorsConfigurationException>(() => SipActorsSettings.Create(ConfigurationFactory.ParseString(hocon)));

        Assert.Equal(key, error.Key);
    }
}
