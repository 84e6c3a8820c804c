using System.Text.Json;
using Akka.Actor;
using SipActors.Calls;
using SipActors.Connections;
using SipActors.Events;
using SipActors.Sip;

namespace SipActors.Tests.Events;

/// <summary>Every one of the 16 connection event types and the 6 session ones as JSON and as text: the fixed keys, its payload, and never the password.</summary>
public sealed class ConnectionEventJsonSpecs
{
    private const string Secret = "s3cret-Pa55";
    private static readonly DateTimeOffset Time = new(2026, 11, 25, 6, 30, 15, 123, TimeSpan.Zero);
    private static readonly AccountId Account = "alice-1";

    private static readonly ConnectionParameters Parameters = new()
    {
        SipServerIp = "sip.example.test",
        SipServerUrl = "udp://127.0.0.1:5060",
        Register = true,
        User = "alice",
        Password = Secret,
        ExtraHeaders = ["X-Test: 1"],
    };

    private static readonly ConnectionConfiguration Configuration = new("sip.example.test", "udp://127.0.0.1:5060", "Alice", true, "alice", Secret,
        "<sip:alice@127.0.0.1:40000;transport=udp>", "127.0.0.1:40000");

    /// <summary>One instance of each event type with the payload values the JSON must carry.</summary>
    private static readonly SipRequest Invite = CreateInvite();

    private static SipRequest CreateInvite()
    {
        var invite = new SipRequest(SipMethod.Invite, "sip:alice@host");
        invite.Headers.Add(Sip.Headers.SipHeaderId.ContentType, "application/sdp");
        invite.Body = "v=0\r\nm=audio 4000 RTP/AVP 0\r\n"u8.ToArray();
        return invite;
    }

    public static TheoryData<AccountEvent, string[]> Events() => new()
    {
        { new ConnectStarted(Account, Time), [] },
        { new ConnectParametersResolveSucceeded(Account, Time, Parameters), ["sip.example.test", "udp://127.0.0.1:5060", "X-Test: 1"] },
        { new ConnectParametersResolveFailed(Account, Time, "provider timed out"), ["provider timed out"] },
        { new Connecting(Account, Time, 2, "udp://127.0.0.1:5060"), ["udp://127.0.0.1:5060"] },
        { new ConnectedWithConfiguration(Account, Time, Configuration), ["127.0.0.1:40000", "sip.example.test"] },
        { new Connected(Account, Time, "udp://127.0.0.1:5060", "127.0.0.1:40000"), ["udp://127.0.0.1:5060", "127.0.0.1:40000"] },
        { new Registered(Account, Time, 200, "OK", 300, "<sip:alice@127.0.0.1:40000>"), ["OK", "<sip:alice@127.0.0.1:40000>"] },
        { new Unregistered(Account, Time, null, "Connection Error"), ["Connection Error"] },
        { new RegistrationFailed(Account, Time, 401, "Authentication Error"), ["Authentication Error"] },
        { new ConnectSucceeded(Account, Time, Configuration), ["sip.example.test"] },
        { new ConnectFailed(Account, Time, "registration failed: 401 Unauthorized", "Authentication Error"), ["registration failed: 401 Unauthorized", "Authentication Error"] },
        { new Disconnecting(Account, Time), [] },
        { new Disconnected(Account, Time, true, "connection lost"), ["connection lost"] },
        { new NewRtcSession(Account, Time, new CallSession(Account, "call-1@host", "remote", "<sip:bob@host>", "<sip:alice@host>", ActorRefs.Nobody), Invite),
            ["remote", "call-1@host", "<sip:bob@host>", "INVITE", "sip:alice@host", "application/sdp", "v=0\r\nm=audio 4000 RTP/AVP 0\r\n"] },
        { new NewMessage(Account, Time, "remote", "<sip:bob@host>", "<sip:alice@host>", "text/plain", "hello \"alice\""), ["text/plain", "hello \"alice\""] },
        { new SipEvent(Account, Time, "message-summary", "7", "application/simple-message-summary", "Messages-Waiting: yes")
            {
                EventParameters = [new("id", "7"), new("x-flag", null), new("x-mode", "quick")],
            }, ["message-summary", "Messages-Waiting: yes", "quick"] },
        { new SessionRinging(Account, Time, "call-1@host", "remote"), ["call-1@host", "remote"] },
        { new SessionProgress(Account, Time, "call-1@host", 183, "Session Progress", "v=0"), ["Session Progress", "v=0"] },
        { new SessionAnswered(Account, Time, "call-1@host", "local", "v=0"), ["local", "v=0"] },
        { new SessionConfirmed(Account, Time, "call-1@host", "remote"), ["call-1@host"] },
        { new SessionUpdated(Account, Time, "call-1@host", "remote", "v=0 updated"), ["v=0 updated"] },
        { new SessionEnded(Account, Time, "call-1@host", "remote", SessionEndCauses.Busy, 486, "Busy Here"), ["Busy", "Busy Here"] },
    };

    [Fact]
    public void Should_cover_every_topic_once()
    {
        var topics = Events().Select(row => ((AccountEvent)row[0]).Topic).ToList();

        Assert.Equal(16, topics.Count(t => t.StartsWith("connection:", StringComparison.Ordinal)));
        Assert.Equal(ConnectionTopics.Topics.Concat(SessionTopics.Topics).Order(StringComparer.Ordinal), topics.Order(StringComparer.Ordinal));
        Assert.Equal(topics.Count, topics.Distinct().Count());
    }

    [Theory]
    [InlineData(ConnectionTopics.Everything, typeof(AccountEvent))]
    [InlineData(ConnectionTopics.All, typeof(ConnectionEvent))]
    [InlineData(SessionTopics.All, typeof(SessionEvent))]
    [InlineData(SessionTopics.Ended, typeof(SessionEnded))]
    public void Should_resolve_wildcard_and_session_topics(string topic, Type expected)
        => Assert.Equal(expected, ConnectionTopics.TypeOf(topic));

    [Fact]
    public void Should_name_the_topic_it_does_not_know()
        => Assert.Contains("'session:bogus'", Assert.Throws<ArgumentException>(() => ConnectionTopics.TypeOf("session:bogus")).Message, StringComparison.Ordinal);

    [Theory]
    [MemberData(nameof(Events))]
    public void Should_serialize_to_one_object_with_topic_account_time_and_payload(AccountEvent connectionEvent, string[] payloadValues)
    {
        var json = ConnectionEventJson.Serialize(connectionEvent);

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        Assert.Equal(connectionEvent.Topic, root.GetProperty("topic").GetString());
        Assert.Equal("alice-1", root.GetProperty("account").GetString());
        Assert.Equal(Time, root.GetProperty("time").GetDateTimeOffset());
        Assert.Equal(connectionEvent.GetType(), ConnectionTopics.TypeOf(root.GetProperty("topic").GetString()!));
        var strings = StringValues(root).ToList();
        foreach (var value in payloadValues)
        {
            Assert.Contains(value, strings);
        }
    }

    [Theory]
    [MemberData(nameof(Events))]
    public void Should_never_print_the_password(AccountEvent connectionEvent, string[] payloadValues)
    {
        _ = payloadValues;

        Assert.DoesNotContain(Secret, ConnectionEventJson.Serialize(connectionEvent), StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, connectionEvent.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_keep_plus_signs_and_angle_brackets_readable()
    {
        var json = ConnectionEventJson.Serialize(new Registered(Account, Time, 200, "OK", 300, "<sip:alice@127.0.0.1>;+sip.instance=\"<urn:uuid:1>\""));

        Assert.Contains("\"time\":\"2026-11-25T06:30:15.1230000+00:00\"", json, StringComparison.Ordinal);
        Assert.Contains("<sip:alice@127.0.0.1>;+sip.instance", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_say_whether_a_password_was_given_without_giving_it()
    {
        using var document = JsonDocument.Parse(ConnectionEventJson.Serialize(new ConnectParametersResolveSucceeded(Account, Time, Parameters)));

        Assert.True(document.RootElement.GetProperty("parameters").GetProperty("hasPassword").GetBoolean());
    }

    private static IEnumerable<string> StringValues(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => StringValues(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(StringValues),
        JsonValueKind.String => [element.GetString()!],
        _ => [],
    };
}
