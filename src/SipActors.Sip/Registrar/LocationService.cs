using System.Collections.Concurrent;
using SipActors.Sip.Headers;
using SipActors.Sip.Transports;

namespace SipActors.Sip.Registrar;

/// <summary>
/// The registrar's bindings store (RFC 3261 §10.3, the "location service"): for each address of
/// record (its user) the Contacts bound to it with their expiry, the Call-ID and CSeq that last
/// changed each, and the flow (connection or UDP address) the REGISTER came on, so requests for
/// the user can be sent back over it (RFC 5626). Expiry is read from the given clock, so tests
/// move time instead of waiting.
/// </summary>
internal sealed class LocationService
{
    /// <summary>Used when a REGISTER has neither an Expires header nor a Contact expires parameter (RFC 3261 §10.2.1.1).</summary>
    public const int DefaultExpires = 3600;

    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Aor> _aors = new(StringComparer.Ordinal);

    public LocationService(TimeProvider time, int minExpires, int maxExpires)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        MinExpires = minExpires;
        MaxExpires = maxExpires;
    }

    /// <summary>Shortest binding accepted; a shorter non-zero request is refused (423).</summary>
    public int MinExpires { get; }

    /// <summary>Longest binding granted; longer requests are cut to it.</summary>
    public int MaxExpires { get; }

    /// <summary>Users with at least one binding not yet swept.</summary>
    public int RegisteredUsers => _aors.Count(a => !a.Value.Bindings.IsEmpty);

    /// <summary>
    /// Applies a REGISTER's Contacts in order (RFC 3261 §10.3 steps 6-7): a Contact with expires
    /// 0 removes its binding, others add or refresh it. Each applied Contact is reported to
    /// <paramref name="onChange"/> (user, Contact URI, granted seconds). A Contact that fails a
    /// check stops the update there; the Contacts before it stay applied.
    /// </summary>
    /// <param name="user">The address of record's user (the To URI's).</param>
    /// <param name="callId">The REGISTER's Call-ID.</param>
    /// <param name="cseq">The REGISTER's CSeq number.</param>
    /// <param name="requestExpires">The request's Expires header, if any.</param>
    /// <param name="wildcard">The request has <c>Contact: *</c>.</param>
    /// <param name="contacts">The request's Contacts, in order.</param>
    /// <param name="flow">The channel the REGISTER came on; requests for the user go back over it.</param>
    /// <param name="onChange">Told of each applied Contact, before the next is looked at.</param>
    public BindingUpdate Update(string user, string callId, uint cseq, int? requestExpires, bool wildcard,
        IReadOnlyList<SipNameAddress> contacts, SipChannel flow, Action<string, string, int>? onChange = null)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(contacts);
        var now = _time.GetUtcNow();
        var defaultExpires = requestExpires ?? DefaultExpires;
        var aor = _aors.GetOrAdd(user, static _ => new Aor());
        // One REGISTER at a time per address of record: the CSeq check and the write are one step.
        lock (aor)
        {
            if (wildcard)
            {
                if (defaultExpires != 0 || contacts.Count != 1)
                {
                    return BindingUpdate.Failed(BindingUpdateStatus.InvalidWildcard);
                }
                aor.Bindings.Clear();
            }
            foreach (var contact in wildcard ? [] : contacts)
            {
                var expires = contact.Expires ?? defaultExpires;
                if (expires != 0 && expires < MinExpires)
                {
                    return BindingUpdate.Failed(BindingUpdateStatus.IntervalTooBrief);
                }
                expires = Math.Min(expires, MaxExpires);
                var instance = contact.GetParameter("+sip.instance");
                var regId = contact.GetParameter("reg-id");
                // RFC 5626 §6: with an instance and reg-id the flow identifies the binding; else the URI does.
                var key = instance is not null && regId is not null ? instance + "|" + regId : contact.Uri.ToString();
                if (aor.Bindings.TryGetValue(key, out var existing) && existing.Binding.CallId == callId && existing.Binding.CSeq >= cseq)
                {
                    return BindingUpdate.Failed(BindingUpdateStatus.OutOfOrder);
                }
                onChange?.Invoke(user, contact.UriText, expires);
                if (expires == 0)
                {
                    aor.Bindings.TryRemove(key, out _);
                    continue;
                }
                aor.Bindings[key] = new Entry(new RegistrarBinding(user, contact.ToString(), contact.UriText, callId, cseq, now.AddSeconds(expires), instance, regId), flow);
            }
            var live = new List<(RegistrarBinding, int)>(aor.Bindings.Count);
            foreach (var entry in aor.Bindings.Values)
            {
                var remaining = (int)Math.Ceiling((entry.Binding.ExpiresAt - now).TotalSeconds);
                if (remaining > 0)
                {
                    live.Add((entry.Binding, remaining));
                }
            }
            return new BindingUpdate(BindingUpdateStatus.Ok, live);
        }
    }

    /// <summary>The live bindings of a user.</summary>
    public IReadOnlyList<RegistrarBinding> GetBindings(string user)
    {
        var now = _time.GetUtcNow();
        return _aors.TryGetValue(user, out var aor) ? [.. aor.Bindings.Values.Where(e => e.Binding.ExpiresAt > now).Select(e => e.Binding)] : [];
    }

    /// <summary>
    /// The user's newest live binding (the one that expires last) and the flow it was registered
    /// on, when that flow is still open: where a request for the user goes.
    /// </summary>
    public bool TryFindFlow(string user, out string contactUri, out SipChannel flow)
    {
        contactUri = "";
        flow = null!;
        if (!_aors.TryGetValue(user, out var aor))
        {
            return false;
        }
        var now = _time.GetUtcNow();
        var newest = aor.Bindings.Values.Where(e => e.Binding.ExpiresAt > now).MaxBy(e => e.Binding.ExpiresAt);
        if (newest is null || newest.Flow.IsClosed)
        {
            return false;
        }
        contactUri = newest.Binding.ContactUri;
        flow = newest.Flow;
        return true;
    }

    /// <summary>Drops every binding whose time is up (with its flow reference).</summary>
    public void RemoveExpired()
    {
        var now = _time.GetUtcNow();
        foreach (var (_, aor) in _aors)
        {
            foreach (var (key, entry) in aor.Bindings)
            {
                if (entry.Binding.ExpiresAt <= now)
                {
                    aor.Bindings.TryRemove(new(key, entry));
                }
            }
        }
    }

    private sealed record Entry(RegistrarBinding Binding, SipChannel Flow);

    private sealed class Aor
    {
        public ConcurrentDictionary<string, Entry> Bindings { get; } = new(StringComparer.Ordinal);
    }
}
