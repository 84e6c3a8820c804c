using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Akka.Actor;
using SipActors.Events;

namespace SipActors.Hosting.Events;

/// <summary>
/// A live subscription to one topic string of the event stream (<c>connection:*</c>,
/// <c>session:*</c>, <c>*</c> or one topic), read as an async stream. It receives events from the
/// moment it was created, holds at most its capacity for a slow reader and then drops the oldest
/// (see <see cref="Dropped"/>).
/// Dispose it to unsubscribe; reading ends when it is disposed or the actor system stops.
/// </summary>
public sealed class SipEventSubscription : IAsyncEnumerable<AccountEvent>, IAsyncDisposable
{
    private readonly Channel<AccountEvent> _channel;
    private readonly ActorSystem _system;
    private readonly IActorRef _bridge;
    private long _dropped;

    internal SipEventSubscription(ActorSystem system, string topic, int capacity, Counter<long>? droppedCounter)
    {
        // Checked before anything is created: an unknown topic throws naming the topic.
        var type = ConnectionTopics.TypeOf(topic);
        Topic = topic;
        _system = system;
        _channel = Channel.CreateBounded<AccountEvent>(
            new BoundedChannelOptions(capacity)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleWriter = true,
                SingleReader = false,
                AllowSynchronousContinuations = false,
            },
            _ =>
            {
                Interlocked.Increment(ref _dropped);
                droppedCounter?.Add(1);
            });
        if (Placement.SipActorsPlacementSetup.Of(system) is { } placement)
        {
            // A clustered host: the events of every node's accounts, not only this process's.
            _bridge = placement.Subscribe(system, type, _channel.Writer);
            return;
        }
        _bridge = system.ActorOf(SipEventBridgeActor.Props(_channel.Writer));
        // Subscribed here rather than in the actor's PreStart, so no event published after this
        // constructor returns can be missed.
        system.EventStream.Subscribe(_bridge, type);
    }

    /// <summary>The topic string this subscription follows.</summary>
    public string Topic { get; }

    /// <summary>Events dropped because the reader fell more than the capacity behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Events received and not read yet.</summary>
    public int Pending => _channel.Reader.Count;

    /// <summary>Reads events as they arrive until the subscription is disposed, the system stops, or <paramref name="cancellationToken"/> fires.</summary>
    public IAsyncEnumerable<AccountEvent> ReadAllAsync(CancellationToken cancellationToken = default) => _channel.Reader.ReadAllAsync(cancellationToken);

    /// <summary>The next event, waiting for one when none is pending.</summary>
    public ValueTask<AccountEvent> ReadAsync(CancellationToken cancellationToken = default) => _channel.Reader.ReadAsync(cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerator<AccountEvent> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        => _channel.Reader.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);

    /// <summary>Unsubscribes; events already received can still be read.</summary>
    public ValueTask DisposeAsync()
    {
        _system.EventStream.Unsubscribe(_bridge);
        _system.Stop(_bridge);
        _channel.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }
}
