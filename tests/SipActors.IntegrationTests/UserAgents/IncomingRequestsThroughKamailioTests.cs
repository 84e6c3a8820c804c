using System.Collections.Concurrent;
using System.Net;
using System.Text;
using SipActors.IntegrationTests.Peers;
using SipActors.Sip;
using SipActors.Sip.Registration;
using SipActors.Sip.Timers;
using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;
using SipActors.Sip.UserAgents;

namespace SipActors.IntegrationTests.UserAgents;

/// <summary>SIPp sends MESSAGE, NOTIFY and INVITE through Kamailio to an account our stack registered; our user agent answers.</summary>
public sealed class IncomingRequestsThroughKamailioTests : IClassFixture<KamailioFixture>, IAsyncLifetime
{
    private readonly KamailioFixture _kamailio;
    private readonly Account _account = new();
    private SipTimerWheel _wheel = null!;
    private SipTransactionLayer _transactions = null!;
    private UdpTransport _udp = null!;
    private RegistrationClient _registration = null!;

    public IncomingRequestsThroughKamailioTests(KamailioFixture kamailio) => _kamailio = kamailio;

    /// <summary>What a test account does with requests: MESSAGE and NOTIFY get 200 (from the directory); an INVITE rings, then is declined with 486.</summary>
    private sealed class Account : ISipRequestHandler
    {
        public ConcurrentQueue<SipRequest> Received { get; } = new();

        public void OnMessage(SipRequest request) => Received.Enqueue(request);

        public void OnInvite(SipServerTransaction transaction)
        {
            Received.Enqueue(transaction.Request);
            _ = DeclineAsync(transaction);
        }

        private static async Task DeclineAsync(SipServerTransaction transaction)
        {
            var tag = SipIdentifiers.NewTag();
            await transaction.RespondAsync(transaction.CreateResponse(180, toTag: tag));
            // Ring a moment, as a phone does: Kamailio's two UDP workers could otherwise relay a 486
            // sent right behind the 180 ahead of it, and SIPp would see them out of order.
            await Task.Delay(200);
            await transaction.RespondAsync(transaction.CreateResponse(486, toTag: tag));
        }

        public bool OnInDialogRequest(SipServerTransaction transaction) => false;
    }

    public async Task InitializeAsync()
    {
        _wheel = new SipTimerWheel();
        _transactions = new SipTransactionLayer(_wheel);
        var directory = new SipUserAgentDirectory(_transactions);
        directory.TryAdd("callee", _account);
        _udp = new UdpTransport(new IPEndPoint(IPAddress.Loopback, 0), _transactions);
        _registration = new RegistrationClient(_transactions, _udp.GetChannel(_kamailio.UdpEndPoint),
            new RegistrationOptions { User = "callee", Domain = _kamailio.Domain, Password = "pw-callee" });
        var result = await _registration.RegisterAsync();
        Assert.True(result.Success, $"{result.Cause} {result.StatusCode}\n{_kamailio.LogTail()}");
    }

    public async Task DisposeAsync()
    {
        await _registration.UnregisterAsync();
        await _udp.DisposeAsync();
        _wheel.Dispose();
    }

    private string Target => $"127.0.0.1:{_kamailio.UdpPort}";

    [Fact]
    public async Task Should_answer_a_message_and_hand_it_to_the_account()
    {
        var (code, output) = await SippRunner.RunAsync("message_uac.xml", Target, "callee");

        Assert.True(code == 0, $"sipp exited {code}\n{output}\n{_kamailio.LogTail()}");
        var message = Assert.Single(_account.Received, r => r.Method == SipMethod.Message);
        Assert.Equal("text/plain", message.ContentType);
        Assert.StartsWith("Hello from SIPp", Encoding.UTF8.GetString(message.Body.Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_answer_an_out_of_dialog_notify()
    {
        var (code, output) = await SippRunner.RunAsync("notify_uac.xml", Target, "callee");

        Assert.True(code == 0, $"sipp exited {code}\n{output}");
        var notify = Assert.Single(_account.Received, r => r.Method == SipMethod.Notify);
        Assert.Equal(("message-summary", "42"), (notify.Event!.Package, notify.Event.Id));
    }

    [Fact]
    public async Task Should_ring_and_decline_an_invite_and_take_the_ack()
    {
        var (code, output) = await SippRunner.RunAsync("invite_rejected_uac.xml", Target, "callee");
        await Task.Delay(200);

        Assert.True(code == 0, $"sipp exited {code}\n{output}");
        Assert.Single(_account.Received, r => r.Method == SipMethod.Invite);
        // The ACK to 486 ended the server transaction: only the registration's client transactions may remain.
        Assert.DoesNotContain(_account.Received, r => r.Method == SipMethod.Ack);
    }

    [Fact]
    public async Task Should_be_found_unknown_for_a_user_nobody_registered()
    {
        var (code, output) = await SippRunner.RunAsync("message_uac.xml", Target, "nobody-here");

        Assert.NotEqual(0, code);
        Assert.Contains("404", output, StringComparison.Ordinal);
    }
}
