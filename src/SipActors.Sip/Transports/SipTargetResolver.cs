using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using DnsClient;
using DnsClient.Protocol;

namespace SipActors.Sip.Transports;

/// <summary>
/// Where to send for a target (RFC 3263 §4.2, without NAPTR): an IP literal as is; a host with a
/// port through A/AAAA; a host without a port through the SRV records of its transport
/// (<c>_sip._udp</c>, <c>_sip._tcp</c>, <c>_sips._tcp</c>), in priority order and weighted at
/// random within a priority, falling back to A/AAAA on the default port when there are none.
/// </summary>
/// <remarks>
/// <see cref="TryGetTarget"/> parses a server address once per process: the accounts of one
/// server (thousands in a load run) share one immutable <see cref="SipServerTarget"/> instead of
/// each connect parsing its URL (a <see cref="Uri"/> and the target) again and each account
/// holding its own copy.
/// </remarks>
public sealed class SipTargetResolver
{
    /// <summary>Distinct server addresses kept; past that a new one is parsed each time (still correct, only not shared).</summary>
    internal const int SharedTargetCapacity = 4096;

    private static readonly ConcurrentDictionary<string, SipServerTarget> SharedTargets = new(StringComparer.Ordinal);

    private readonly ILookupClient _dns;

    /// <summary>The system's resolvers, or <paramref name="nameServers"/> (tests use one on loopback).</summary>
    public SipTargetResolver(params IPEndPoint[] nameServers)
    {
        _dns = nameServers.Length == 0
            ? new LookupClient()
            : new LookupClient(new LookupClientOptions(nameServers) { UseCache = true, Timeout = TimeSpan.FromSeconds(2), Retries = 1 });
    }

    /// <summary>
    /// <see cref="SipServerTarget.TryParse"/>, shared: every caller with the same text gets the
    /// same target (it is immutable). Only addresses that parse are kept, at most
    /// <see cref="SharedTargetCapacity"/> of them.
    /// </summary>
    public static bool TryGetTarget(string? serverUrl, [NotNullWhen(true)] out SipServerTarget? target, [NotNullWhen(false)] out string? error)
    {
        if (serverUrl is not null && SharedTargets.TryGetValue(serverUrl, out target))
        {
            error = null;
            return true;
        }
        if (!SipServerTarget.TryParse(serverUrl, out target, out error))
        {
            return false;
        }
        if (SharedTargets.Count < SharedTargetCapacity)
        {
            target = SharedTargets.GetOrAdd(serverUrl!, target);
        }
        return true;
    }

    /// <summary>The endpoints to try, in order. Throws <see cref="SipTransportException"/> when the name does not resolve.</summary>
    public async Task<IReadOnlyList<IPEndPoint>> ResolveAsync(SipServerTarget target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (IPAddress.TryParse(target.Host, out var literal))
        {
            return [new IPEndPoint(literal, target.Port)];
        }
        try
        {
            if (!target.PortGiven && target.Kind is not (SipTransportKind.Ws or SipTransportKind.Wss))
            {
                var service = target.Kind switch
                {
                    SipTransportKind.Udp => "_sip._udp.",
                    SipTransportKind.Tcp => "_sip._tcp.",
                    _ => "_sips._tcp.",
                };
                var srv = await _dns.QueryAsync(service + target.Host, QueryType.SRV, cancellationToken: cancellationToken).ConfigureAwait(false);
                var records = srv.Answers.SrvRecords().ToList();
                if (records.Count > 0)
                {
                    var endpoints = new List<IPEndPoint>();
                    foreach (var record in Order(records))
                    {
                        foreach (var address in await AddressesAsync(record.Target.Value.TrimEnd('.'), srv, cancellationToken).ConfigureAwait(false))
                        {
                            endpoints.Add(new IPEndPoint(address, record.Port));
                        }
                    }
                    if (endpoints.Count > 0)
                    {
                        return endpoints;
                    }
                }
            }
            var addresses = await AddressesAsync(target.Host, null, cancellationToken).ConfigureAwait(false);
            if (addresses.Count == 0)
            {
                throw new SipTransportException($"{target.Host} has no address (A/AAAA)");
            }
            return [.. addresses.Select(a => new IPEndPoint(a, target.Port))];
        }
        catch (DnsResponseException e)
        {
            throw new SipTransportException($"DNS lookup of {target.Host} failed: {e.Message}", e);
        }
    }

    private async Task<IReadOnlyList<IPAddress>> AddressesAsync(string host, IDnsQueryResponse? srvResponse, CancellationToken cancellationToken)
    {
        // SRV answers usually carry the targets' addresses as additional records.
        var known = srvResponse?.Additionals.ARecords().Where(a => a.DomainName.Value.TrimEnd('.') == host).Select(a => a.Address).ToList();
        if (known is { Count: > 0 })
        {
            return known;
        }
        var response = await _dns.QueryAsync(host, QueryType.A, cancellationToken: cancellationToken).ConfigureAwait(false);
        var result = response.Answers.ARecords().Select(a => a.Address).ToList();
        if (result.Count == 0)
        {
            var v6 = await _dns.QueryAsync(host, QueryType.AAAA, cancellationToken: cancellationToken).ConfigureAwait(false);
            result.AddRange(v6.Answers.AaaaRecords().Select(a => a.Address));
        }
        return result;
    }

    /// <summary>RFC 2782: lowest priority first; within a priority, a weighted random order.</summary>
    private static IEnumerable<SrvRecord> Order(List<SrvRecord> records)
    {
        foreach (var group in records.GroupBy(r => r.Priority).OrderBy(g => g.Key))
        {
            var pool = group.ToList();
            while (pool.Count > 0)
            {
                var total = pool.Sum(r => r.Weight + 1);
                var pick = Random.Shared.Next(total);
                var index = 0;
                while (pick >= pool[index].Weight + 1)
                {
                    pick -= pool[index].Weight + 1;
                    index++;
                }
                yield return pool[index];
                pool.RemoveAt(index);
            }
        }
    }
}
