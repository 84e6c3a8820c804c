using Akka.Actor;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace SipActors.Dispatch;

/// <summary>
/// An unbounded deque message queue that costs ~130 bytes while idle: a ring buffer behind a lock,
/// empty until the first message, grown by doubling. Akka's default queue is a ConcurrentQueue whose
/// first segment (32 slots) plus its stash wrapper came to ~1.1 KB in every account, a tenth of an
/// idle registered account's memory. An account sees a handful of messages per registration from a
/// few senders, so an uncontended lock costs nothing that shows; lock-freedom buys nothing here.
/// </summary>
public sealed class CompactDequeMessageQueue : IMessageQueue, IUnboundedDequeBasedMessageQueueSemantics
{
    private readonly Lock _gate = new();
    private Envelope[] _items = [];
    private int _head;
    private int _count;

    public bool HasMessages => Volatile.Read(ref _count) > 0;

    public int Count => Volatile.Read(ref _count);

    public void Enqueue(IActorRef receiver, Envelope envelope)
    {
        lock (_gate)
        {
            EnsureRoom();
            _items[(_head + _count) % _items.Length] = envelope;
            _count++;
        }
    }

    /// <summary>Puts a message in front (unstashing), so it is processed before anything queued.</summary>
    public void EnqueueFirst(Envelope envelope)
    {
        lock (_gate)
        {
            EnsureRoom();
            _head = (_head - 1 + _items.Length) % _items.Length;
            _items[_head] = envelope;
            _count++;
        }
    }

    public bool TryDequeue(out Envelope envelope)
    {
        lock (_gate)
        {
            if (_count == 0)
            {
                envelope = default;
                return false;
            }
            envelope = _items[_head];
            _items[_head] = default; // let the message go
            _head = (_head + 1) % _items.Length;
            _count--;
            return true;
        }
    }

    public void CleanUp(IActorRef owner, IMessageQueue deadletters)
    {
        while (TryDequeue(out var envelope))
        {
            deadletters.Enqueue(owner, envelope);
        }
    }

    private void EnsureRoom()
    {
        if (_count < _items.Length)
        {
            return;
        }
        var grown = new Envelope[Math.Max(4, _items.Length * 2)];
        for (var i = 0; i < _count; i++)
        {
            grown[i] = _items[(_head + i) % _items.Length];
        }
        _items = grown;
        _head = 0;
    }
}
