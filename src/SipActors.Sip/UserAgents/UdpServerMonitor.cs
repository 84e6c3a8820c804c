using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using SipActors.Sip.Headers;
using SipActors.Sip.Timers;
using SipActors.Sip.Transports;

namespace SipActors.Sip.UserAgents;

/// <summary>
/// Knows, per UDP server, whether it answers. UDP has no connection to break, so without this an
/// account learns of a restarted server (which lost every binding) only when its refresh fails,
/// minutes later. The check is per server, never per account: while any account of the stack
/// hears from the server nothing is sent; after <see cref="UdpServerCheckOptions.Interval"/> of
/// silence the monitor sends one OPTIONS of its own, and a client transaction of any account that
/// times out (Timer F/B) to that server triggers one at once. When
/// <see cref="UdpServerCheckOptions.FailuresToLose"/> probes in a row go unanswered within
/// <see cref="UdpServerCheckOptions.Timeout"/>, the server is unreachable: every account on it is
/// told its flow is lost, and until a probe is answered again a connect to it sends nothing and
/// waits (<see cref="WhenAnsweredAsync"/>), so ten thousand recovering accounts stay quiet during
/// the outage and all resume once it answers.
/// </summary>
internal sealed class UdpServerMonitor : IAsyncDisposable
{
    private readonly SipStack _stack;
    private readonly UdpServerCheckOptions _options;
    private readonly ConcurrentDictionary<IPEndPoint, Server> _servers = new();
    // The servers by their socket address, for the receive threads: a copy replaced when one is added, read without a lock.
    private (SocketAddress Address, Server Server)[] _byAddress = [];
    private readonly TimeSpan _tick;
    private int _started;
    private long _probesSent;
    private volatile bool _stopped;

    public UdpServerMonitor(SipStack stack, UdpServerCheckOptions options)
    {
        _stack = stack;
        _options = options;
        // Due probes are looked for twenty times per interval, so one goes out at most a twentieth
        // of an interval late: a 10 s restart must be noticed before it ends (5 s + 0.25 s + 4 s,
        // measured 9.4 s with a tenth). The tick is one timer per stack, whatever the number of accounts.
        _tick = TimeSpan.FromTicks(Math.Clamp(options.Interval.Ticks / 20, TimeSpan.FromMilliseconds(10).Ticks, TimeSpan.FromMilliseconds(500).Ticks));
        _stack.Transactions.ClientTransactionTimedOut += OnTransactionTimedOut;
    }

    private bool Enabled => _options.Interval > TimeSpan.Zero;

    private long Now => _stack.TimeProvider.GetTimestamp();

    /// <summary>Probes sent so far (for tests and metrics).</summary>
    public long ProbesSent => Interlocked.Read(ref _probesSent);

    /// <summary>Watches <paramref name="server"/> for <paramref name="member"/>, which is told when the server is lost.</summary>
    public void Add(IPEndPoint server, SipUserAgent member)
    {
        if (!Enabled)
        {
            return;
        }
        Get(server).Members[member] = 0;
        Start();
    }

    public void Remove(IPEndPoint server, SipUserAgent member)
    {
        if (_servers.TryGetValue(server, out var state))
        {
            state.Members.TryRemove(member, out _);
        }
    }

    /// <summary>The server answered a request of some account just now.</summary>
    public void NoteAnswered(IPEndPoint endpoint)
    {
        var server = Get(endpoint);
        Volatile.Write(ref server.HeardAt, Now);
        if (server.Unreachable || server.Probing || server.Failures != 0 || server.NextAnswer is not null)
        {
            Answered(server);
        }
    }

    public bool AnsweredWithin(IPEndPoint endpoint, TimeSpan window)
        => _servers.TryGetValue(endpoint, out var server) && Volatile.Read(ref server.HeardAt) is var at and not 0
            && _stack.TimeProvider.GetElapsedTime(at, Now) < window;

    /// <summary>Whether the last probes of <paramref name="endpoint"/> went unanswered (and none has been answered since).</summary>
    public bool IsUnreachable(IPEndPoint endpoint) => _servers.TryGetValue(endpoint, out var server) && server.Unreachable;

    /// <summary>
    /// Completes when the server next answers. A server known unreachable is asked by the monitor's
    /// own probes (every interval, whoever waits); otherwise one probe is sent unless one is already
    /// out, so accounts connecting at once share one OPTIONS. Cancelled only by the caller's token.
    /// </summary>
    public async Task WhenAnsweredAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        var server = Get(endpoint);
        Task answer;
        bool probe;
        lock (server)
        {
            answer = (server.NextAnswer ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            probe = !server.Unreachable && !server.Probing;
        }
        if (Enabled)
        {
            Start();
        }
        if (probe)
        {
            Probe(endpoint, server);
        }
        Interlocked.Increment(ref server.Waiters);
        try
        {
            await answer.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref server.Waiters);
        }
    }

    private Server Get(IPEndPoint endpoint)
    {
        if (_servers.TryGetValue(endpoint, out var known))
        {
            return known;
        }
        lock (_servers)
        {
            var server = _servers.GetOrAdd(endpoint, static _ => new Server());
            if (!_byAddress.Any(s => ReferenceEquals(s.Server, server)))
            {
                _byAddress = [.. _byAddress, (endpoint.Serialize(), server)];
            }
            return server;
        }
    }

    /// <summary>
    /// A datagram came from <paramref name="from"/>: if it is a watched server, it is alive now,
    /// whatever its answer to a probe. Under load a server may answer an OPTIONS seconds late
    /// while it relays calls; counting only probe answers took it for dead and dropped every flow.
    /// Called on the receive threads for every datagram: a compare per watched server, no allocation.
    /// </summary>
    internal void NoteDatagram(SocketAddress from)
    {
        foreach (var (address, server) in _byAddress)
        {
            if (address.Equals(from))
            {
                Volatile.Write(ref server.HeardAt, Now);
                if (server.Unreachable || server.Probing || server.Failures != 0 || server.NextAnswer is not null)
                {
                    Answered(server);
                }
                return;
            }
        }
    }

    private void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _stack.Wheel.Schedule(_tick, static s => ((UdpServerMonitor)s!).OnTick(), this);
        }
    }

    private void OnTick()
    {
        if (_stopped)
        {
            return;
        }
        var now = Now;
        foreach (var (endpoint, server) in _servers)
        {
            if (server.Probing || (server.Members.IsEmpty && Volatile.Read(ref server.Waiters) == 0))
            {
                continue; // nobody on it and nobody waiting for it: nothing to learn
            }
            var since = Math.Max(Volatile.Read(ref server.HeardAt), Volatile.Read(ref server.ProbedAt));
            if (_stack.TimeProvider.GetElapsedTime(since, now) >= _options.Interval)
            {
                Probe(endpoint, server);
            }
        }
        try
        {
            _stack.Wheel.Schedule(_tick, static s => ((UdpServerMonitor)s!).OnTick(), this);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>An account's transaction to this server got no answer at all: check the server now rather than at the next interval.</summary>
    private void OnTransactionTimedOut(SipChannel channel)
    {
        if (_stopped || !Enabled || channel.Kind != SipTransportKind.Udp || !_servers.TryGetValue(channel.RemoteEndPoint, out var server))
        {
            return;
        }
        if (!server.Unreachable && !server.Probing && !server.Members.IsEmpty)
        {
            Probe(channel.RemoteEndPoint, server);
        }
    }

    private void Probe(IPEndPoint endpoint, Server server)
    {
        long round;
        lock (server)
        {
            if (server.Probing || _stopped)
            {
                return;
            }
            server.Probing = true;
            server.ProbedAt = Now;
            round = ++server.Round;
        }
        Interlocked.Increment(ref _probesSent);
        Task<SipResponse> sending;
        try
        {
            var channel = _stack.GetUdpTransport(endpoint.Address).GetChannel(endpoint);
            sending = _stack.Transactions.SendRequestAsync(BuildOptions(channel, endpoint), channel);
        }
        catch (Exception e) when (e is SipTransportException or ObjectDisposedException)
        {
            sending = Task.FromException<SipResponse>(e);
        }
        // A late answer still counts (the transaction keeps retransmitting until Timer F): a server
        // back from a restart may first answer the retransmission of an earlier probe.
        _ = sending.ContinueWith(static (t, s) =>
        {
            var (monitor, endpoint) = ((UdpServerMonitor, IPEndPoint))s!;
            if (t.IsCompletedSuccessfully)
            {
                monitor._stack.NoteUdpServerAnswered(endpoint);
            }
        }, (this, endpoint), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            _stack.Wheel.Schedule(_options.Timeout, static s =>
            {
                var (monitor, endpoint, server, round) = ((UdpServerMonitor, IPEndPoint, Server, long))s!;
                monitor.OnProbeTimeout(endpoint, server, round);
            }, (this, endpoint, server, round));
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void OnProbeTimeout(IPEndPoint endpoint, Server server, long round)
    {
        List<SipUserAgent>? lost = null;
        lock (server)
        {
            if (server.Round != round || !server.Probing || _stopped)
            {
                return; // answered in time
            }
            server.Probing = false;
            if (++server.Failures < _options.FailuresToLose || server.Unreachable)
            {
                return;
            }
            server.Unreachable = true;
            Volatile.Write(ref server.HeardAt, 0);
            // One by one: an account that joins meanwhile (a connect just finishing) is told too, or stays.
            lost = [];
            foreach (var agent in server.Members.Keys)
            {
                if (server.Members.TryRemove(agent, out _))
                {
                    lost.Add(agent);
                }
            }
        }
        var error = new SipTransportException(string.Create(CultureInfo.InvariantCulture,
            $"the UDP server {endpoint} stopped answering: {_options.FailuresToLose} OPTIONS {(_options.FailuresToLose == 1 ? "probe" : "probes")} without an answer within {_options.Timeout.TotalSeconds:0.#} s"));
        foreach (var agent in lost)
        {
            agent.OnUdpServerLost(error);
        }
    }

    private void Answered(Server server)
    {
        TaskCompletionSource? waiting;
        lock (server)
        {
            server.Probing = false;
            server.Failures = 0;
            server.Unreachable = false;
            waiting = server.NextAnswer;
            server.NextAnswer = null;
        }
        waiting?.TrySetResult();
    }

    private SipRequest BuildOptions(SipChannel channel, IPEndPoint endpoint)
    {
        // Addressed to the server itself, so a proxy answers instead of relaying it.
        var host = endpoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]" : endpoint.Address.ToString();
        var local = channel.LocalEndPoint;
        var sentBy = local.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{local.Address}]:{local.Port}" : $"{local.Address}:{local.Port}";
        var uri = string.Create(CultureInfo.InvariantCulture, $"sip:{host}:{endpoint.Port}");
        var request = new SipRequest(SipMethod.Options, uri);
        var h = request.Headers;
        h.Add(SipHeaderId.Via, SipVia.NewTop(SipTransportKind.Udp, sentBy));
        h.Add(SipHeaderId.MaxForwards, "70");
        h.Add(SipHeaderId.From, $"<sip:server-check@{host}>;tag={SipIdentifiers.NewTag()}");
        h.Add(SipHeaderId.To, $"<{uri}>");
        h.Add(SipHeaderId.CallId, SipIdentifiers.NewCallId());
        h.Add(SipHeaderId.CSeq, "1 OPTIONS");
        h.Add(SipHeaderId.UserAgent, "SipActors server check");
        return request;
    }

    public ValueTask DisposeAsync()
    {
        _stopped = true;
        _stack.Transactions.ClientTransactionTimedOut -= OnTransactionTimedOut;
        foreach (var server in _servers.Values)
        {
            server.NextAnswer?.TrySetCanceled();
        }
        return ValueTask.CompletedTask;
    }

    private sealed class Server
    {
        public readonly ConcurrentDictionary<SipUserAgent, byte> Members = new();
        public long HeardAt;
        public long ProbedAt;
        public long Round;
        public int Waiters;
        public volatile int Failures;
        public volatile bool Probing;
        public volatile bool Unreachable;
        public TaskCompletionSource? NextAnswer;
    }
}
