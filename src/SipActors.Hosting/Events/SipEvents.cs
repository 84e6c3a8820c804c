using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using SipActors.Diagnostics;
using SipActors.Events;
using SipActors.Hosting.Diagnostics;

namespace SipActors.Hosting.Events;

/// <summary>
/// <see cref="ISipEvents"/> over the host's actor system. The system is resolved on first use:
/// resolving it before the host starts creates it early (Akka.Hosting then starts that same
/// instance), which is what lets a subscriber see the configured accounts' first events.
/// </summary>
internal sealed class SipEvents : ISipEvents
{
    private const int DefaultCapacity = 10_000;
    private readonly IServiceProvider _services;
    private readonly Counter<long>? _dropped;

    public SipEvents(IServiceProvider services)
    {
        _services = services;
        var meter = services.GetService<IMeterFactory>()?.Create(new MeterOptions(SipActorsMetrics.MeterName));
        _dropped = meter?.CreateCounter<long>(SipActorsHostingMetrics.EventsDropped, "{event}", "Events dropped because a subscriber fell behind");
    }

    public SipEventSubscription Subscribe(string topic = ConnectionTopics.All, int? capacity = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity ?? 1, 1, nameof(capacity));
        var system = _services.GetRequiredService<ActorSystem>();
        var size = capacity ?? HostedSipActors.Find(system)?.Options.EventBufferCapacityOrDefault ?? DefaultCapacity;
        return new SipEventSubscription(system, topic, size, _dropped);
    }

    public IAsyncEnumerable<AccountEvent> Events(string topic = ConnectionTopics.All, CancellationToken cancellationToken = default)
    {
        // An unknown topic throws here, at the call, not at the first MoveNextAsync.
        ConnectionTopics.TypeOf(topic);
        return Read(topic, cancellationToken);
    }

    private async IAsyncEnumerable<AccountEvent> Read(string topic, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var subscription = Subscribe(topic);
        await foreach (var e in subscription.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return e;
        }
    }
}
