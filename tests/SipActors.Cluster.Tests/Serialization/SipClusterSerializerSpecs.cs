using System.Collections;
using System.Reflection;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using SipActors.Calls;
using SipActors.Cluster.Events;
using SipActors.Cluster.Serialization;
using SipActors.Cluster.Sharding;
using SipActors.Connections;
using Xunit.Abstractions;

namespace SipActors.Cluster.Tests.Serialization;

/// <summary>Every message that crosses nodes goes through SipClusterSerializer (bound by cluster.hocon) and comes back equal.</summary>
public sealed class SipClusterSerializerSpecs(ITestOutputHelper output)
    : TestKit(ConfigurationFactory.ParseString("akka.actor.provider = local").WithFallback(SipClusterConfig.Defaults), output: output)
{
    private const string Secret = "s3cr3t-pw";

    /// <summary>Every property set to something other than its default, so a field the serializer forgot shows up.</summary>
    private static readonly ConnectionParameters Full = new()
    {
        SipServerIp = "example.test",
        SipServerUrl = "tcp://127.0.0.1:5070",
        DisplayName = "Alice Liddell",
        Register = true,
        User = "alice",
        Password = Secret,
        RemoteAddress = "10.1.2.3",
        UserAgent = "Test/1.0",
        SessionTimers = true,
        IncomingCalls = IncomingCallPolicy.AutoAnswer,
        AnswerSdp = "v=0\r\n",
        NoAnswerTimeout = 7,
        RegisterExpires = 120,
        ConnectionRecoveryMinInterval = 1.5,
        ConnectionRecoveryMaxInterval = 9.25,
        RetryConnect = true,
        AuthUser = "auth-alice",
        ExtraHeaders = ["X-A: 1", "X-B: two"],
    };

    private object RoundTrip(object message)
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<SipClusterSerializer>(serializer);
        var bytes = serializer.ToBinary(message);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);
        return Sys.Serialization.Deserialize(bytes, serializer.Identifier, manifest);
    }

    private static void AssertSameParameters(ConnectionParameters expected, ConnectionParameters actual)
    {
        foreach (var property in typeof(ConnectionParameters).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var (e, a) = (property.GetValue(expected), property.GetValue(actual));
            if (e is IEnumerable sequence and not string)
            {
                Assert.Equal(sequence.Cast<object>(), ((IEnumerable)a!).Cast<object>());
            }
            else
            {
                Assert.True(Equals(e, a), $"{property.Name}: sent {e}, received {a}");
            }
        }
    }

    [Fact]
    public void Should_cover_every_parameter_in_the_sample()
    {
        var defaults = new ConnectionParameters { SipServerIp = "", SipServerUrl = "" };
        foreach (var property in typeof(ConnectionParameters).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            var (full, plain) = (property.GetValue(Full), property.GetValue(defaults));
            Assert.False(full is IEnumerable f and not string ? !f.Cast<object>().Any() : Equals(full, plain), $"the sample leaves {property.Name} at its default");
        }
    }

    [Fact]
    public void Should_round_trip_a_connect_with_every_parameter_and_its_password()
    {
        var back = Assert.IsType<Connect>(RoundTrip(new Connect("team a/alice #1", Full)));

        Assert.Equal("team a/alice #1", back.Account.Value);
        Assert.Null(back.Provider);
        AssertSameParameters(Full, back.Parameters!);
    }

    [Fact]
    public void Should_write_only_what_differs_from_the_defaults()
    {
        var plain = new ConnectionParameters { SipServerIp = "example.test", SipServerUrl = "udp://127.0.0.1:5060", Register = true, User = "user00042", Password = "pw-user00042" };
        var definition = new AccountDefinition("user00042", plain);
        var bytes = Sys.Serialization.FindSerializerFor(definition).ToBinary(definition);
        Output?.WriteLine($"{bytes.Length} bytes: a registering account's definition");

        AssertSameParameters(plain, Assert.IsType<AccountDefinition>(RoundTrip(definition)).Parameters);
        Assert.True(bytes.Length < 200, $"{bytes.Length} bytes");
    }

    [Fact]
    public void Should_round_trip_a_placement_with_every_parameter_and_find_them_the_same()
    {
        var back = Assert.IsType<PlaceAccount>(RoundTrip(new PlaceAccount("team a/alice #1", Full)));

        Assert.Equal("team a/alice #1", back.Account.Value);
        AssertSameParameters(Full, back.Parameters);
        // The extra headers come back as a new list: still the same parameters.
        Assert.NotSame(Full.ExtraHeaders, back.Parameters.ExtraHeaders);
        Assert.True(back.SameParameters(Full));
        Assert.False(back.SameParameters(Full with { ExtraHeaders = ["X-A: 1"] }));
        Assert.False(back.SameParameters(Full with { Password = "another" }));
        Assert.DoesNotContain(Secret, back.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_round_trip_an_account_definition()
    {
        var back = Assert.IsType<AccountDefinition>(RoundTrip(new AccountDefinition("alice", Full)));

        Assert.Equal("alice", back.Account.Value);
        AssertSameParameters(Full, back.Parameters);
    }

    private static readonly object[] Messages =
    [
        new Disconnect("alice"),
        new Register("alice"),
        new Unregister("alice"),
        new GetState("alice"),
        new Ping("alice"),
        new RemoveAccount("alice"),
        new SendMessage("alice", "sip:bob@example.test", "hello", "text/x-test"),
        new SendOptions("alice", "sip:bob@example.test"),
        new CommandResult("alice", CommandStatus.Ok),
        new CommandResult("alice", CommandStatus.Failed, "the server said 403") { StatusCode = 403 },
        new CommandResult("alice", CommandStatus.Superseded),
        new CommandResult("alice", CommandStatus.NoOp),
        new ConnectionStateResult("alice", ConnectionStatus.Disconnected, null),
        new ConnectionStateResult("alice", ConnectionStatus.Registered,
            new ConnectionConfiguration("example.test", "udp://127.0.0.1:5060", "Alice", true, "alice", Secret, "<sip:alice@127.0.0.1:40000>", "127.0.0.1:40000")),
        new ClusterAccountEvent("akka.tcp://sipactors@127.0.0.1:4053", "alice", 42, "connection:registered",
            new DateTimeOffset(2026, 12, 3, 14, 0, 0, 123, TimeSpan.Zero), "{\"topic\":\"connection:registered\"}"),
        new ClusterEventProbe("probe-7", ClusterEventTopics.Session, "akka.tcp://sipactors@127.0.0.1:4054"),
        new ClusterEventProbe("probe-8", ClusterEventTopics.Connection),
        new Call("alice", "sip:bob@example.test", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n"),
        new Call("alice", "sip:bob@example.test"),
        new Answer("alice", "call-1@host", "v=0\r\n"),
        new Answer("alice", "call-1@host"),
        new Reject("alice", "call-1@host", 603),
        new Reject("alice", "call-1@host"),
        new HangUp("alice", "call-1@host"),
        new GetCalls("alice"),
        new SipActors.Sip.Registration.RegistrationBinding("3f2a9c@sipactors", 4_000_000_001, "sip:alice@127.0.0.1:40000;transport=udp"),
    ];

    public static TheoryData<object> PlainMessages() => new(Messages);

    [Theory]
    [MemberData(nameof(PlainMessages))]
    public void Should_round_trip_every_command_answer_and_event(object message)
    {
        Assert.Equal(message, RoundTrip(message));
    }

    [Fact]
    public void Should_round_trip_the_node_status()
    {
        var status = new SupervisorStatus(3, new Dictionary<ConnectionStatus, int> { [ConnectionStatus.Registered] = 2, [ConnectionStatus.Connecting] = 1 });

        var back = Assert.IsType<SupervisorStatus>(RoundTrip(status));

        Assert.Same(GetSupervisorStatus.Instance, RoundTrip(GetSupervisorStatus.Instance));
        Assert.Equal(3, back.Accounts);
        Assert.Equal(status.ByStatus.OrderBy(p => p.Key), back.ByStatus.OrderBy(p => p.Key));
    }

    [Fact]
    public void Should_round_trip_the_node_report_and_its_question()
    {
        var report = new NodeReport("akka.tcp://sipactors@127.0.0.1:4054", 5, new Dictionary<ConnectionStatus, int> { [ConnectionStatus.Registered] = 4, [ConnectionStatus.Connecting] = 1 },
            12.345, 150_000_000, 200_000_000, 17, 3, 1200, 2)
        {
            RegistersSent = new Dictionary<string, long> { ["initial"] = 5, ["challenged"] = 5, ["refresh"] = 1200, ["unregister"] = 0, ["retry"] = 1 },
            RegisterResponses = new Dictionary<int, long> { [200] = 1211, [401] = 5, [503] = 1 },
            TransactionsOpen = 7,
        };

        var back = Assert.IsType<NodeReport>(RoundTrip(report));

        Assert.Same(GetNodeReport.Instance, RoundTrip(GetNodeReport.Instance));
        Assert.Equal(report with { ByStatus = back.ByStatus, RegistersSent = back.RegistersSent, RegisterResponses = back.RegisterResponses }, back);
        Assert.Equal(report.ByStatus.OrderBy(p => p.Key), back.ByStatus.OrderBy(p => p.Key));
        Assert.Equal(report.RegistersSent.OrderBy(p => p.Key), back.RegistersSent.OrderBy(p => p.Key));
        Assert.Equal(report.RegisterResponses.OrderBy(p => p.Key), back.RegisterResponses.OrderBy(p => p.Key));
    }

    [Fact]
    public void Should_round_trip_the_calls_of_an_account_with_their_session_actors()
    {
        var (one, two) = (CreateTestProbe().Ref, CreateTestProbe().Ref);
        var calls = new CallsResult("alice", [
            new CallSession("alice", "call-1@host", "local", "sip:alice@x", "sip:bob@x", one),
            new CallSession("alice", "call-2@host", "remote", "sip:carol@x", "sip:alice@x", two),
        ]);

        var back = Assert.IsType<CallsResult>(RoundTrip(calls));

        Assert.Equal("alice", back.Account.Value);
        Assert.Equal(calls.Calls, back.Calls);
        Assert.Empty(Assert.IsType<CallsResult>(RoundTrip(new CallsResult("bob", []))).Calls);
    }

    [Fact]
    public void Should_round_trip_a_call_handle_with_its_session_actor()
    {
        var actor = CreateTestProbe().Ref;
        var result = new CommandResult("alice", CommandStatus.Ok) { Session = new CallSession("alice", "call-1@host", "local", "sip:alice@x", "sip:bob@x", actor) };

        var back = Assert.IsType<CommandResult>(RoundTrip(result));

        Assert.Equal(result.Session, back.Session);
        Assert.Equal(result, back);
    }

    [Fact]
    public void Should_refuse_a_connect_with_a_provider_and_say_why_without_the_password()
    {
        var connect = new Connect("alice", Full, _ => Task.FromResult(Full));
        var serializer = Sys.Serialization.FindSerializerFor(connect);

        var error = Assert.Throws<SerializationException>(() => serializer.ToBinary(connect));

        Assert.Contains("Provider cannot be placed on the cluster", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_never_print_the_password_of_what_travels()
    {
        IEnumerable<object> travelling = [new AccountDefinition("alice", Full), new Connect("alice", Full), .. Messages];
        var printed = string.Join("\n", travelling.Select(m => m.ToString()));
        var garbled = new byte[] { (byte)'{', (byte)'"', (byte)'p', (byte)'w', (byte)'"', (byte)':', (byte)'"' }
            .Concat(System.Text.Encoding.UTF8.GetBytes(Secret)).ToArray();
        var error = Assert.Throws<SerializationException>(() => Sys.Serialization.Deserialize(garbled, SipClusterSerializer.SerializerId, "connect"));

        Assert.DoesNotContain(Secret, printed, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.ToString(), StringComparison.Ordinal);
        Assert.Contains("'connect'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_name_an_unknown_manifest()
    {
        var error = Assert.Throws<SerializationException>(() => Sys.Serialization.Deserialize("{}"u8.ToArray(), SipClusterSerializer.SerializerId, "nope"));

        Assert.Contains("unknown manifest 'nope'", error.Message, StringComparison.Ordinal);
    }
}
