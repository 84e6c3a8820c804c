using Microsoft.Extensions.DependencyInjection;
using SipActors.Events;
using SipActors.Hosting.Events;

namespace SipActors.Hosting.Tests.Events;

public sealed class SipEventsSpecs
{
    [Fact]
    public async Task Should_drop_the_oldest_events_when_the_reader_falls_behind()
    {
        // Arrange
        using var host = TestHost.Build();
        await host.StartAsync();
        var events = host.Services.GetRequiredService<ISipEvents>();
        await using var subscription = events.Subscribe(ConnectionTopics.ConnectStarted, capacity: 2);

        // Act: five events, nobody reading
        for (var i = 0; i < 5; i++)
        {
            host.System().EventStream.Publish(new ConnectStarted($"acc{i}", DateTimeOffset.UtcNow));
        }
        host.System().EventStream.Publish(new Connecting("acc9", DateTimeOffset.UtcNow, 0, "udp://127.0.0.1:5060"));
        await TestHost.AwaitConditionAsync(() => subscription.Dropped == 3, TimeSpan.FromSeconds(10), "three events dropped");

        // Assert: the newest two are kept, the other topic was filtered out
        Assert.Equal("acc3", (await subscription.ReadAsync()).Account.Value);
        Assert.Equal("acc4", (await subscription.ReadAsync()).Account.Value);
        Assert.Equal(0, subscription.Pending);
        await host.StopAsync();
    }

    [Fact]
    public async Task Should_carry_session_events_on_session_and_everything_but_not_on_the_default_topic()
    {
        // Arrange
        using var host = TestHost.Build();
        await host.StartAsync();
        var events = host.Services.GetRequiredService<ISipEvents>();
        await using var byDefault = events.Subscribe();
        await using var sessions = events.Subscribe(SessionTopics.All);
        await using var ended = events.Subscribe(SessionTopics.Ended);
        await using var everything = events.Subscribe(ConnectionTopics.Everything);

        // Act
        host.System().EventStream.Publish(new ConnectStarted("acc", DateTimeOffset.UtcNow));
        host.System().EventStream.Publish(new SessionRinging("acc", DateTimeOffset.UtcNow, "call-1", "local"));
        host.System().EventStream.Publish(new SessionEnded("acc", DateTimeOffset.UtcNow, "call-1", "remote", SessionEndCauses.Terminated, null, null));
        await TestHost.AwaitConditionAsync(() => everything.Pending == 3, TimeSpan.FromSeconds(10), "'*' receives all three events");

        // Assert
        Assert.Equal(ConnectionTopics.All, byDefault.Topic);
        Assert.Equal([ConnectionTopics.ConnectStarted, SessionTopics.Ringing, SessionTopics.Ended], await Topics(everything, 3));
        Assert.Equal([SessionTopics.Ringing, SessionTopics.Ended], await Topics(sessions, 2));
        Assert.Equal([SessionTopics.Ended], await Topics(ended, 1));
        Assert.Equal([ConnectionTopics.ConnectStarted], await Topics(byDefault, 1));
        Assert.Equal(0, byDefault.Pending);
        await host.StopAsync();
    }

    [Fact]
    public async Task Should_end_the_async_stream_when_the_host_stops()
    {
        // Arrange
        using var host = TestHost.Build();
        await host.StartAsync();
        var events = host.Services.GetRequiredService<ISipEvents>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var read = new System.Collections.Concurrent.ConcurrentQueue<AccountEvent>();
        var reader = Task.Run(async () =>
        {
            await foreach (var e in events.Events(ConnectionTopics.All, timeout.Token))
            {
                read.Enqueue(e);
            }
        });
        await TestHost.AwaitConditionAsync(() =>
        {
            host.System().EventStream.Publish(new ConnectStarted("probe", DateTimeOffset.UtcNow));
            return !read.IsEmpty;
        }, TimeSpan.FromSeconds(10), "the stream receives events");

        // Act
        await host.StopAsync();
        await reader;

        // Assert: ended by the stop, not by the token
        Assert.False(timeout.IsCancellationRequested);
        Assert.All(read, e => Assert.Equal("probe", e.Account.Value));
    }

    private static async Task<List<string>> Topics(SipEventSubscription subscription, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var topics = new List<string>();
        for (var i = 0; i < count; i++)
        {
            topics.Add((await subscription.ReadAsync(timeout.Token)).Topic);
        }
        return topics;
    }

    [Fact]
    public void Should_refuse_an_unknown_topic_naming_it()
    {
        using var host = TestHost.Build();
        var events = host.Services.GetRequiredService<ISipEvents>();

        var error = Assert.Throws<ArgumentException>(() => events.Events("connection:nonsense"));

        Assert.Contains("'connection:nonsense'", error.Message);
    }
}
