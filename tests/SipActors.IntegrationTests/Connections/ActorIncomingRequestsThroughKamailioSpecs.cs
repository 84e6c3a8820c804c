using Akka.Actor;
using Akka.TestKit.Xunit2;
using SipActors.Connections;
using SipActors.Events;
using SipActors.IntegrationTests.Peers;
using SipActors.Sip.UserAgents;
using Xunit.Abstractions;

namespace SipActors.IntegrationTests.Connections;

/// <summary>SIPp sends MESSAGE and NOTIFY through Kamailio to an account registered by a ConnectionActor: the events and their payloads.</summary>
public sealed class ActorIncomingRequestsThroughKamailioSpecs : TestKit, IClassFixture<KamailioFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly KamailioFixture _kamailio;
    private readonly SipStack _stack = new();

    public ActorIncomingRequestsThroughKamailioSpecs(KamailioFixture kamailio, ITestOutputHelper output) : base(output: output)
    {
        _kamailio = kamailio;
        ConnectionTopics.Subscribe(Sys.EventStream, TestActor, ConnectionTopics.NewMessage);
        ConnectionTopics.Subscribe(Sys.EventStream, TestActor, ConnectionTopics.SipEvent);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    private Task RegisteredAsync(string user) => KamailioAccounts.RegisterAsync(Sys, _stack, _kamailio, user);

    [Fact]
    public async Task Should_answer_a_message_from_sipp_and_publish_new_message()
    {
        await RegisteredAsync("actor-msg");

        var (code, output) = await SippRunner.RunAsync("message_uac.xml", $"127.0.0.1:{_kamailio.UdpPort}", "actor-msg");

        Assert.True(code == 0, $"sipp exited {code}\n{output}\n{_kamailio.LogTail()}");
        var message = ExpectMsg<NewMessage>(Wait);
        Assert.Equal(("actor-msg", "remote", "text/plain"), (message.Account.Value, message.Originator, message.ContentType));
        Assert.StartsWith("Hello from SIPp", message.Body, StringComparison.Ordinal);
        Assert.Contains("sipp@", message.From, StringComparison.Ordinal);
        Assert.Contains("actor-msg@", message.To, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_answer_an_out_of_dialog_notify_from_sipp_and_publish_sip_event_with_the_event_header()
    {
        await RegisteredAsync("actor-notify");

        var (code, output) = await SippRunner.RunAsync("notify_uac.xml", $"127.0.0.1:{_kamailio.UdpPort}", "actor-notify");

        Assert.True(code == 0, $"sipp exited {code}\n{output}\n{_kamailio.LogTail()}");
        var notify = ExpectMsg<SipEvent>(Wait);
        Assert.Equal(("actor-notify", "message-summary", "42"), (notify.Account.Value, notify.Event, notify.EventId));
        Assert.Contains(new KeyValuePair<string, string?>("id", "42"), notify.EventParameters);
        Assert.Equal("application/simple-message-summary", notify.ContentType);
        Assert.NotNull(notify.Request);
        Assert.Equal("active;expires=3600", notify.Request.Headers.GetFirst(SipActors.Sip.Headers.SipHeaderId.SubscriptionState));
    }
}
