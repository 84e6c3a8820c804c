using System.Collections.Concurrent;
using SipActors.Sip.Calls;

namespace SipActors.Sip.Tests.Calls;

/// <summary>Keeps a call's events in order and lets a test await the first of a kind, with a bound.</summary>
internal sealed class CallRecorder
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly List<SipCallEvent> _events = [];
    private readonly ConcurrentDictionary<SipCallEventKind, TaskCompletionSource<SipCallEvent>> _first = new();

    public void Record(SipCallEvent e)
    {
        lock (_events)
        {
            _events.Add(e);
        }
        Waiter(e.Kind).TrySetResult(e);
    }

    public IReadOnlyList<SipCallEventKind> Kinds
    {
        get
        {
            lock (_events)
            {
                return [.. _events.Select(e => e.Kind)];
            }
        }
    }

    public IReadOnlyList<SipCallEvent> All(SipCallEventKind kind)
    {
        lock (_events)
        {
            return [.. _events.Where(e => e.Kind == kind)];
        }
    }

    public Task<SipCallEvent> Next(SipCallEventKind kind) => Waiter(kind).Task.WaitAsync(Patience);

    private TaskCompletionSource<SipCallEvent> Waiter(SipCallEventKind kind)
        => _first.GetOrAdd(kind, static _ => new TaskCompletionSource<SipCallEvent>(TaskCreationOptions.RunContinuationsAsynchronously));
}
