using System.Collections.Concurrent;
using SipActors.Sip.Registrar;

namespace SipActors.Cluster.Tests.Nodes;

/// <summary>Every successful REGISTER the embedded registrar answered, per user, in order: which Contact, refresh or removal.</summary>
internal sealed class RegistrarLog
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(string Contact, int Expires)>> _byUser = new();

    public RegistrarLog(EmbeddedRegistrar registrar)
        => registrar.Registered += (user, contact, expires) => _byUser.GetOrAdd(user, _ => new()).Enqueue((contact, expires));

    /// <summary>REGISTERs that added or refreshed a binding (expires &gt; 0) for <paramref name="user"/>.</summary>
    public int Registrations(string user) => _byUser.TryGetValue(user, out var q) ? q.Count(r => r.Expires > 0) : 0;

    public IReadOnlyList<(string Contact, int Expires)> Of(string user) => _byUser.TryGetValue(user, out var q) ? [.. q] : [];
}
