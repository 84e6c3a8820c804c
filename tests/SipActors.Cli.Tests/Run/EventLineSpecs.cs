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

    [Fact]
    public void Should_print_cause_status_reason_and_originator_of_an_ended_call()
        => Assert.EndsWith("session:ended bob c1@host Busy 486 Busy Here local",
            EventLine.Format(new SessionEnded("bob", Time, "c1@host", "local", SessionEndCauses.Busy, 486, "Busy Here")), StringComparison.Ordinal);

    [Fact]
    public void Should_print_dashes_for_an_ended_call_without_a_response()
        => Assert.EndsWith("session:ended alice c1@host Terminated - - remote",
            EventLine.Format(new SessionEnded("alice", Time, "c1@host", "remote", SessionEndCauses.Terminated, null, null)), StringComparison.Ordinal);

    [Fact]
    public void Should_keep_a_call_step_on_one_line_printing_the_size_of_its_sdp()
    {
        var line = EventLine.Format(new SessionAnswered("alice", Time, "c1@host", "remote", "v=0\r\nm=audio 9 RTP/AVP 0\r\n"));

        Assert.EndsWith("session:answered alice c1@host remote sdp 26 chars", line, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', line);
    }

    [Fact]
    public void Should_summarize_every_session_topic()
    {
        AccountEvent[] steps =
        [
            new SessionRinging("bob", Time, "c1", "local"),
            new SessionProgress("bob", Time, "c1", 183, "Session Progress", null),
            new SessionAnswered("bob", Time, "c1", "local", null),
            new SessionConfirmed("bob", Time, "c1", "remote"),
            new SessionUpdated("bob", Time, "c1", "remote", null),
            new SessionEnded("bob", Time, "c1", "remote", SessionEndCauses.Terminated, null, null),
        ];

        var summaries = steps.Select(EventLine.Summary);

        Assert.Equal(["c1 local", "c1 183 Session Progress", "c1 local", "c1 remote", "c1 remote", "c1 Terminated - - remote"], summaries);
    }
}
