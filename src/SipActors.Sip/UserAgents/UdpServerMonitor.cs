using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using SipActors.Sip.Transports;

namespace SipActors.Sip.UserAgents;

/// <summary>
/// Notices that a UDP server went away. UDP has no connection to break, so without this an
/// account learns of a restarted server only when its refresh fails, minutes later. The check is
/// per server, not per account: while any account of the stack hears from the server, nothing is
/// sent; after <see cref="UdpServerCheckOptions.Interval"/> of silence one member sends an OPTIONS,
/// and when <see cref="UdpServerCheckOptions.FailuresToLose"/> checks in a row get no answer, every
/// account on that server is told its flow is lost (and recovers through its own backoff).
/// </summary>
internal sealed class UdpServerMonitor : IAsyncDisposable
{
    private readonly SipStack _stack;
    private readonly UdpServerCheckOptions _options;
    private readonly ConcurrentDictionary<IPEndPoint, Server> _servers = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;
    private int _started;

    public UdpServerMonitor(SipStack stack, UdpServerCheckOptions options)
    {
        _stack = stack;
        _options = options;
    }

    public void Add(IPEndPoint server, SipUserAgent member)
    {
        if (_options.Interval <= TimeSpan.Zero)
        {
            return;
        }
        _servers.GetOrAdd(server, _ => new Server()).Members[member] = 0;
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _loop = Task.Run(LoopAsync);
        }
    }

    public void Remove(IPEndPoint server, SipUserAgent member)
    {
        if (_servers.TryGetValue(server, out var state))
        {
            state.Members.TryRemove(member, out _);
        }
    }

    private async Task LoopAsync()
    {
        var token = _stopping.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                await Task.Delay(_options.Interval, _stack.TimeProvider, token).ConfigureAwait(false);
                await Task.WhenAll(_servers.Select(pair => CheckAsync(pair.Key, pair.Value, token))).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task CheckAsync(IPEndPoint endpoint, Server server, CancellationToken token)
    {
        if (server.Members.IsEmpty || _stack.UdpServerAnsweredWithin(endpoint, _options.Interval))
        {
            server.Failures = 0;
            return;
        }
        var member = server.Members.Keys.FirstOrDefault();
        if (member is null)
        {
            return;
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            await member.PingAsync(timeout.Token).ConfigureAwait(false);
            server.Failures = 0;
            return;
        }
        catch (Exception) when (!token.IsCancellationRequested)
        {
            // No answer in time (or the member just left): one more silent check.
        }
        if (++server.Failures < _options.FailuresToLose)
        {
            return;
        }
        server.Failures = 0;
        // Reconnects must ask the server again, not trust an answer from before it went silent.
        _stack.ForgetUdpServer(endpoint);
        var lost = new SipTransportException(string.Create(CultureInfo.InvariantCulture,
            $"the UDP server {endpoint} stopped answering: {_options.FailuresToLose} OPTIONS checks without an answer within {_options.Timeout.TotalSeconds:0.#} s"));
        foreach (var agent in server.Members.Keys)
        {
            server.Members.TryRemove(agent, out _);
            agent.OnUdpServerLost(lost);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
        _stopping.Dispose();
    }

    private sealed class Server
    {
        public readonly ConcurrentDictionary<SipUserAgent, byte> Members = new();
        public int Failures;
    }
}
