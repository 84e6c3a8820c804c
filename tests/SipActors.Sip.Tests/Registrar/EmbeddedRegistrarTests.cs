using System.Net;
using SipActors.Sip.Headers;
using SipActors.Sip.Registrar;
using SipActors.Sip.Registration;
using SipActors.Sip.Timers;
using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;

namespace SipActors.Sip.Tests.Registrar;

/// <summary>The registrar as a whole over UDP on loopback: its parts wired together.</summary>
public sealed class EmbeddedRegistrarTests : IAsyncLifetime
{
    private readonly SipTimerWheel _wheel = new(TimeSpan.FromMilliseconds(5));
    private readonly List<IAsyncDisposable> _owned = [];
    private EmbeddedRegistrar _registrar = null!;

    public Task InitializeAsync()
    {
        _registrar = EmbeddedRegistrar.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }
        await _registrar.DisposeAsync();
        _wheel.Dispose();
    }

    /// <summary>A user agent on its own UDP socket that answers 200 to every request and remembers it.</summary>
    private (SipTransactionLayer Layer, UdpTransport Udp, TaskCompletionSource<SipRequest> Received) Peer()
    {
        var layer = new SipTransactionLayer(_wheel);
        var received = new TaskCompletionSource<SipRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        layer.RequestReceived = t =>
        {
            received.TrySetResult(t.Request);
            _ = t.RespondAsync(t.CreateResponse(200, toTag: SipIdentifiers.NewTag()));
        };
        var udp = new UdpTransport(new IPEndPoint(IPAddress.Loopback, 0), layer);
        _owned.Add(udp);
        return (layer, udp, received);
    }

    private Task<RegistrationResult> Register((SipTransactionLayer Layer, UdpTransport Udp, TaskCompletionSource<SipRequest> _) peer, string user, string? instance = null)
        => new RegistrationClient(peer.Layer, peer.Udp.GetChannel(_registrar.UdpEndPoint), new RegistrationOptions
        {
            User = user,
            Domain = _registrar.Domain,
            Password = "pw-" + user,
            InstanceId = instance,
        }).RegisterAsync();

    private SipRequest Message(string to, UdpTransport from)
    {
        var message = new SipRequest(SipMethod.Message, $"sip:{to}@{_registrar.Domain}");
        message.Headers.Add(SipHeaderId.Via, $"SIP/2.0/UDP {from.LocalEndPoint};branch={SipIdentifiers.NewBranch()}");
        message.Headers.Add(SipHeaderId.MaxForwards, "70");
        message.Headers.Add(SipHeaderId.From, $"<sip:carol@{_registrar.Domain}>;tag={SipIdentifiers.NewTag()}");
        message.Headers.Add(SipHeaderId.To, $"<sip:{to}@{_registrar.Domain}>");
        message.Headers.Add(SipHeaderId.CallId, SipIdentifiers.NewCallId());
        message.Headers.Add(SipHeaderId.CSeq, "1 MESSAGE");
        message.Headers.Add(SipHeaderId.ContentType, "text/plain");
        message.Body = "hi"u8.ToArray();
        return message;
    }

    [Fact]
    public async Task Should_relay_to_the_flow_of_the_user_named_even_when_two_users_share_an_instance()
    {
        // One device (one +sip.instance, reg-id 1) registered as two users from two sockets: each
        // user's binding keeps its own flow.
        var alice = Peer();
        var bob = Peer();
        var carol = Peer();
        Assert.True((await Register(alice, "alice", "urn:uuid:00000000-0000-0000-0000-0000000000aa")).Success);
        Assert.True((await Register(bob, "bob", "urn:uuid:00000000-0000-0000-0000-0000000000aa")).Success);

        var answer = await carol.Layer.SendRequestAsync(Message("alice", carol.Udp), carol.Udp.GetChannel(_registrar.UdpEndPoint)).WaitAsync(TimeSpan.FromSeconds(10));
        var received = await alice.Received.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(200, answer.StatusCode);
        Assert.StartsWith("sip:alice@", received.RequestUriText, StringComparison.Ordinal);
        Assert.False(bob.Received.Task.IsCompleted);
    }
}
