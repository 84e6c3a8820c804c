using SipActors.Sip.Headers;
using SipActors.Sip.Registration;
using SipActors.Sip.Tests.TestData;
using SipActors.Sip.Timers;
using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;

namespace SipActors.Sip.Tests.Registration;

/// <summary>
/// A REGISTER exchange runs where its answers arrive: the test thread delivers each response
/// as a receive loop would, and the next REGISTER, or the end of the exchange, happens before
/// that delivery returns, on that thread.
/// </summary>
public sealed class RegistrationExchangeTests : IDisposable
{
    private readonly SipTimerWheel _wheel = new(TimeSpan.FromMilliseconds(5));
    private readonly SipTransactionLayer _transactions;
    private readonly RecordingChannel _channel = new(SipTransportKind.Udp);
    private readonly List<int> _sendThreads = [];

    public RegistrationExchangeTests()
    {
        _transactions = new SipTransactionLayer(_wheel);
        _channel.OnSend = _ =>
        {
            lock (_sendThreads)
            {
                _sendThreads.Add(Environment.CurrentManagedThreadId);
            }
            return null;
        };
    }

    public void Dispose() => _wheel.Dispose();

    private RegistrationClient Client() => new(_transactions, _channel, new RegistrationOptions { User = "alice", Domain = "example.test", Password = "pw-alice" });

    private SipRequest Sent(int index)
    {
        lock (_channel.Sent)
        {
            return (SipRequest)_channel.Sent[index];
        }
    }

    private int SentCount
    {
        get
        {
            lock (_channel.Sent)
            {
                return _channel.Sent.Count;
            }
        }
    }

    /// <summary>Delivers the answer to the <paramref name="index"/>th REGISTER as a receive loop does: parsed, then handed to the transaction layer.</summary>
    private void Deliver(int index, int status, Action<SipResponse>? decorate = null)
    {
        var response = SipResponses.Create(Sent(index), status, toTag: "srv");
        decorate?.Invoke(response);
        _transactions.OnMessage(SipMessage.Parse(response.ToArray()), _channel);
    }

    private static void Challenge(SipResponse response)
        => response.Headers.Add(SipHeaderId.WwwAuthenticate, "Digest realm=\"example.test\", nonce=\"n1\", qop=\"auth\", algorithm=MD5");

    [Fact]
    public void Should_answer_a_challenge_on_the_thread_that_delivered_it_before_the_delivery_returns()
    {
        // The task form too: it is the same exchange, with a task taken from it.
        var registering = Client().RegisterAsync();
        Assert.Equal(1, SentCount);

        Deliver(0, 401, Challenge);

        // No task continuation in between: the answer went out inside the delivery, from this thread.
        Assert.Equal(2, SentCount);
        Assert.Equal(Environment.CurrentManagedThreadId, _sendThreads[1]);
        Assert.NotNull(Sent(1).Headers.GetFirst(SipHeaderId.Authorization));
        Assert.Equal(Sent(0).CallId, Sent(1).CallId);
        Assert.Equal(Sent(0).CSeq!.Value.Number + 1, Sent(1).CSeq!.Value.Number);
        Assert.False(registering.IsCompleted);
    }

    [Fact]
    public async Task Should_tell_the_end_of_the_exchange_on_the_thread_that_delivered_the_final_response()
    {
        var heardOn = -1;
        RegistrationExchange? heard = null;
        var exchange = Client().Register(e => (heard, heardOn) = (e, Environment.CurrentManagedThreadId));
        Deliver(0, 401, Challenge);

        Deliver(1, 200);

        Assert.Same(exchange, heard);
        Assert.Equal(Environment.CurrentManagedThreadId, heardOn);
        Assert.True(exchange.IsCompleted);
        Assert.True(exchange.Result!.Success);
        Assert.Equal((200, 2), (exchange.Result.StatusCode!.Value, exchange.Result.Attempts));
        Assert.Same(exchange.Result, await exchange.AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Should_complete_a_task_taken_while_the_exchange_runs()
    {
        var exchange = Client().Register();
        var waiting = exchange.AsTask();
        Deliver(0, 401, Challenge);
        Assert.False(waiting.IsCompleted);

        Deliver(1, 403);

        var result = await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal((RegistrationFailureCause.Rejected, 403, 2), (result.Cause!.Value, result.StatusCode!.Value, result.Attempts));
    }

    [Fact]
    public void Should_end_at_once_with_a_connection_error_when_the_send_fails_at_once()
    {
        _channel.OnSend = _ => new SipTransportException("no route");
        RegistrationResult? heard = null;

        var exchange = Client().Register(e => heard = e.Result);

        // The failure came back inside Register, before it returned: the exchange is already over.
        Assert.True(exchange.IsCompleted);
        Assert.Same(exchange.Result, heard);
        Assert.Equal((RegistrationFailureCause.ConnectionError, 1), (heard!.Cause!.Value, heard.Attempts));
        Assert.Contains("no route", heard.Error, StringComparison.Ordinal);
        Assert.Equal(0, _transactions.Count);
    }

    [Fact]
    public void Should_retry_once_with_min_expires_after_423_and_once_afresh_after_400_from_the_delivering_thread()
    {
        var exchange = Client().Register();
        Deliver(0, 423, r => r.Headers.Add(SipHeaderId.MinExpires, "600"));
        Deliver(1, 400);
        Deliver(2, 200);

        Assert.Equal(3, SentCount);
        Assert.Equal("600", Sent(1).Headers.GetFirst(SipHeaderId.Expires));
        Assert.Equal("600", Sent(2).Headers.GetFirst(SipHeaderId.Expires));
        Assert.True(exchange.Result!.Success);
        Assert.Equal(3, exchange.Result.Attempts);
    }

    [Theory]
    // Other bindings of the user first: ours is found by +sip.instance and reg-id, quoted or not.
    [InlineData("<sip:alice@10.0.0.9:5060>;expires=100;+sip.instance=\"<urn:uuid:00000000-0000-0000-0000-000000000001>\";reg-id=1, {ours};expires=250", 250)]
    [InlineData("{instance};expires=100;reg-id=2, {instance};reg-id=1;expires=250", 250)]
    // Without an instance, by the Contact URI (any case); none of ours: the Expires header.
    [InlineData("<sip:ALICE@127.0.0.1:40000;transport=UDP>;expires=77", 77)]
    [InlineData("<sip:alice@10.0.0.9:5060>;expires=100", 3600)]
    public void Should_take_the_granted_expiry_of_our_own_contact(string contacts, int granted)
    {
        var client = Client();
        var exchange = client.Register();
        var instance = client.Contact[..client.Contact.IndexOf(";reg-id", StringComparison.Ordinal)];

        Deliver(0, 200, r =>
        {
            r.Headers.Add(SipHeaderId.Contact, contacts.Replace("{ours}", client.Contact, StringComparison.Ordinal).Replace("{instance}", instance, StringComparison.Ordinal));
            r.Headers.Add(SipHeaderId.Expires, "3600");
        });

        Assert.True(exchange.Result!.Success);
        Assert.Equal(granted, exchange.Result.GrantedExpires);
    }
}
