using System.Net;
using System.Net.Sockets;
using System.Text;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using SipActors.Connections;
using SipActors.Events;
using SipActors.Sip.Registrar;
using SipActors.Sip.UserAgents;
using Xunit.Abstractions;

namespace SipActors.Tests.Reliability;

/// <summary>
/// A registered UDP account under a flood of hostile datagrams on its shared socket: malformed,
/// oversized, lying about their length, for nobody, for transactions that never were, floods of
/// requests it does take. It keeps its binding, refreshes and answers; nothing it receives crashes
/// the receive threads or the actor.
/// </summary>
public sealed class HostileInputSpecs : TestKit, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly EmbeddedRegistrar _registrar = EmbeddedRegistrar.Start(new EmbeddedRegistrarOptions());
    private readonly SipStack _stack = new();

    public HostileInputSpecs(ITestOutputHelper output) : base(output: output)
    {
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        await _registrar.DisposeAsync();
    }

    /// <summary>The kinds of hostile datagram sent, each a function of the account's address and a serial number.</summary>
    private static IEnumerable<(string Kind, Func<string, int, byte[]> Make)> Kinds()
    {
        static byte[] Text(string s) => Encoding.UTF8.GetBytes(s.Replace("\n", "\r\n", StringComparison.Ordinal));
        static string Request(string method, string aor, int n, string extra = "", string body = "", string? length = null)
            => $"{method} {aor} SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-hostile{n}\nMax-Forwards: 70\nFrom: <sip:evil@127.0.0.1>;tag=e{n}\n"
               + $"To: <{aor}>\nCall-ID: hostile-{n}\nCSeq: 1 {method}\n{extra}Content-Length: {length ?? Encoding.UTF8.GetByteCount(body).ToString(System.Globalization.CultureInfo.InvariantCulture)}\n\n{body}";
        yield return ("empty", (_, _) => []);
        yield return ("NULs", (_, _) => new byte[512]);
        yield return ("random bytes", (_, n) => { var b = new byte[1200]; new Random(n).NextBytes(b); return b; });
        yield return ("60 KB of header", (aor, n) => Text(Request("MESSAGE", aor, n, "X-Big: " + new string('a', 60_000) + "\n")));
        yield return ("Content-Length larger than the datagram", (aor, n) => Text(Request("MESSAGE", aor, n, body: "hi", length: "50000")));
        yield return ("negative Content-Length", (aor, n) => Text(Request("MESSAGE", aor, n, body: "hi", length: "-5")));
        yield return ("overflowing Content-Length", (aor, n) => Text(Request("MESSAGE", aor, n, body: "hi", length: "99999999999999999999")));
        yield return ("3,000 headers", (aor, n) => Text(Request("MESSAGE", aor, n, string.Concat(Enumerable.Repeat("X-H: 1\n", 3000)))));
        yield return ("no Via", (aor, n) => Text(Request("MESSAGE", aor, n).Replace("Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-hostile" + n + "\r\n", "", StringComparison.Ordinal)));
        yield return ("bad CSeq", (aor, n) => Text(Request("MESSAGE", aor, n).Replace("CSeq: 1 MESSAGE", "CSeq: x MESSAGE", StringComparison.Ordinal)));
        yield return ("bad start line", (_, _) => Text("HELLO WORLD\n\n"));
        yield return ("SIP/3.0", (aor, n) => Text(Request("MESSAGE", aor, n).Replace("SIP/2.0\r\nVia", "SIP/3.0\r\nVia", StringComparison.Ordinal)));
        yield return ("a response for no transaction", (_, n) => Text($"SIP/2.0 200 OK\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK-none{n}\nFrom: <sip:a@b>;tag=1\nTo: <sip:a@b>;tag=2\nCall-ID: none-{n}\nCSeq: 1 REGISTER\nContent-Length: 0\n\n"));
        yield return ("a request for an unknown user", (_, n) => Text(Request("MESSAGE", "sip:nobody@127.0.0.1", n)));
        yield return ("a request in an unknown dialog", (aor, n) => Text(Request("BYE", aor, n).Replace($"To: <{aor}>", $"To: <{aor}>;tag=gone", StringComparison.Ordinal)));
        yield return ("a flood of OPTIONS", (aor, n) => Text(Request("OPTIONS", aor, n)));
        yield return ("a flood of MESSAGE", (aor, n) => Text(Request("MESSAGE", aor, n, "Content-Type: text/plain\n", "spam")));
        yield return ("a flood of SUBSCRIBE", (aor, n) => Text(Request("SUBSCRIBE", aor, n, "Event: presence\n")));
        yield return ("a CANCEL for nothing", (aor, n) => Text(Request("CANCEL", aor, n)));
        yield return ("an ACK for nothing", (aor, n) => Text(Request("ACK", aor, n)));
        yield return ("control characters in a header", (aor, n) => Text(Request("MESSAGE", aor, n, "X-Bad: \u0001\u0002\u0003\n")));
        yield return ("an unterminated header block", (aor, n) => Text($"MESSAGE {aor} SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-u{n}\nFrom: <sip:evil@x>"));
    }

    [Fact]
    public async Task Should_keep_a_udp_account_registered_and_answering_under_a_flood_of_hostile_datagrams()
    {
        var account = Sys.ActorOf(ConnectionActor.Props("alice", _stack), "alice");
        var parameters = new ConnectionParameters
        {
            SipServerIp = _registrar.Domain, SipServerUrl = $"udp://127.0.0.1:{_registrar.UdpEndPoint.Port}", Register = true,
            User = "alice", Password = "pw-alice", RegisterExpires = 10,
        };
        Assert.Equal(CommandStatus.Ok, (await account.Ask<CommandResult>(new Connect("alice", parameters), Wait)).Status);
        var state = await account.Ask<ConnectionStateResult>(new GetState("alice"), Wait);
        var target = IPEndPoint.Parse(state.Configuration!.LocalEndPoint!);
        var aor = $"sip:alice@{_registrar.Domain}";
        var events = CreateTestProbe();
        ConnectionTopics.Subscribe(Sys.EventStream, events, ConnectionTopics.All);

        using var attacker = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        attacker.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var kinds = Kinds().ToList();
        var sent = 0;
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(12); // past a refresh (E = 10 s: due within 5 s)
        for (var n = 0; DateTime.UtcNow < until; n++)
        {
            var (_, make) = kinds[n % kinds.Count];
            var datagram = make(aor, n);
            if (datagram.Length is > 0 and <= 65_000)
            {
                attacker.SendTo(datagram, target);
            }
            sent++;
            if (n % 200 == 199)
            {
                await Task.Delay(5); // ~20,000 a second at most: a flood, not a socket overflow test
            }
        }
        Output.WriteLine($"{sent} hostile datagrams in {kinds.Count} kinds");

        var ping = await account.Ask<CommandResult>(new Ping("alice"), Wait);
        var after = await account.Ask<ConnectionStateResult>(new GetState("alice"), Wait);
        var lost = events.ReceiveWhile(TimeSpan.FromMilliseconds(200), o => o as ConnectionEvent).Where(e => e is Unregistered or Disconnected).ToList();

        Assert.True(sent > 10_000, $"only {sent} sent");
        Assert.Equal(ConnectionStatus.Registered, after.Status);
        Assert.True(ping.IsSuccess, ping.Error);
        Assert.Empty(lost);
        Assert.Single(_registrar.GetBindings("alice"));
    }
}
