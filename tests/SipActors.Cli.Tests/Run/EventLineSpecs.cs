using SipActors.Cli.Run;
using SipActors.Connections;
using SipActors.Events;

namespace SipActors.Cli.Tests.Run;

public sealed class EventLineSpecs
{
    private static readonly DateTimeOffset Time = new(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);

    [Fact]
    public void Should_print_time_topic_account_and_summary()
    {
        var line = EventLine.Format(new Registered("alice", Time, 200, "OK", 300, "<sip:alice@127.0.0.1:5060>"));

        Assert.Equal($"{Time.ToLocalTime():HH:mm:ss.fff} connection:registered alice 200 OK expires 300", line);
    }

    [Fact]
    public void Should_never_print_the_password()
    {
        var parameters = new ConnectionParameters { SipServerIp = "127.0.0.1", SipServerUrl = "udp://127.0.0.1:5060", Register = true, User = "alice", Password = "s3cret-pw" };

        var line = EventLine.Format(new ConnectParametersResolveSucceeded("alice", Time, parameters));

        Assert.Contains("user alice", line, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pw", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_name_the_cause_of_a_failed_connect()
        => Assert.EndsWith("connection:connect-failed bob Authentication Error: 401 Unauthorized",
            EventLine.Format(new ConnectFailed("bob", Time, "401 Unauthorized", "Authentication Error")), StringComparison.Ordinal);
}
