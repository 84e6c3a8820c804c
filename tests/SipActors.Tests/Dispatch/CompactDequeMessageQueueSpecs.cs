using Akka.Actor;
using Akka.Dispatch.MessageQueues;
using SipActors.Dispatch;

namespace SipActors.Tests.Dispatch;

public sealed class CompactDequeMessageQueueSpecs
{
    private static Envelope E(int n) => new(n, ActorRefs.NoSender);

    private static List<object> Drain(IMessageQueue queue)
    {
        var seen = new List<object>();
        while (queue.TryDequeue(out var envelope))
        {
            seen.Add(envelope.Message);
        }
        return seen;
    }

    [Fact]
    public void Should_keep_order_across_growth_and_wrap_around()
    {
        var queue = new CompactDequeMessageQueue();
        for (var i = 0; i < 3; i++)
        {
            queue.Enqueue(ActorRefs.Nobody, E(i));
        }
        Assert.True(queue.TryDequeue(out var first));
        Assert.Equal(0, first.Message);

        // The ring has wrapped (head at 1) when it grows past four.
        for (var i = 3; i < 40; i++)
        {
            queue.Enqueue(ActorRefs.Nobody, E(i));
        }

        Assert.Equal(39, queue.Count);
        Assert.Equal(Enumerable.Range(1, 39).Cast<object>(), Drain(queue));
        Assert.False(queue.HasMessages);
    }

    [Fact]
    public void Should_put_unstashed_messages_in_front_in_the_order_given_last_first()
    {
        var queue = new CompactDequeMessageQueue();
        queue.Enqueue(ActorRefs.Nobody, E(10));
        queue.Enqueue(ActorRefs.Nobody, E(11));

        // UnstashAll prepends the stash from its newest to its oldest message.
        queue.EnqueueFirst(E(2));
        queue.EnqueueFirst(E(1));

        Assert.Equal([1, 2, 10, 11], Drain(queue).Cast<int>());
    }

    [Fact]
    public void Should_hand_what_is_left_to_dead_letters_on_clean_up()
    {
        var queue = new CompactDequeMessageQueue();
        var deadLetters = new UnboundedMessageQueue();
        queue.Enqueue(ActorRefs.Nobody, E(1));
        queue.Enqueue(ActorRefs.Nobody, E(2));

        queue.CleanUp(ActorRefs.Nobody, deadLetters);

        Assert.Equal(0, queue.Count);
        Assert.Equal([1, 2], Drain(deadLetters).Cast<int>());
    }
}
