using System.Globalization;
using System.Net;
using System.Text;
using SipActors.Sip.Auth;
using SipActors.Sip.Headers;
using SipActors.Sip.Timers;
using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;
using SipActors.Sip.Uris;

namespace SipActors.Sip.Registrar;

/// <summary>
/// A small registrar that runs in-process on loopback (RFC 3261 §10.3): digest authentication
/// with a password rule, bindings in memory with expiry. It lets load runs and unit tests work
/// on a machine with no SIP server; it is not a substitute for tests against a real one.
/// This type wires the listeners to three parts and keeps the counters: the
/// <see cref="DigestVerifier"/> (challenges and credentials), the <see cref="LocationService"/>
/// (bindings) and the <see cref="RegistrarRelay"/> (requests for registered users). Its TCP and
/// WS connections are held within <see cref="EmbeddedRegistrarOptions.Limits"/> by one
/// <see cref="ConnectionGuard"/>.
/// </summary>
public sealed class EmbeddedRegistrar : IAsyncDisposable
{
    private readonly EmbeddedRegistrarOptions _options;
    private readonly SipTimerWheel _wheel;
    private readonly SipTransactionLayer _transactions;
    private readonly UdpTransport _udp;
    private readonly TcpListenerTransport? _tcp;
    private readonly WebSocketListenerTransport? _ws;
    private readonly ConnectionGuard? _guard;
    private readonly DigestVerifier _digest;
    private readonly LocationService _locations;
    private readonly RegistrarRelay _relay;
    private SipTimer _sweep;
    private volatile bool _disposed;
    private long _challenges;
    private long _authFailures;
    private int _heldResponses;
    private int _peakHeldResponses;
    private long _registrations;

    private EmbeddedRegistrar(EmbeddedRegistrarOptions options)
    {
        _options = options;
        if (!IPAddress.IsLoopback(options.UdpEndPoint.Address))
        {
            throw new ArgumentException($"The embedded registrar listens on loopback only, not {options.UdpEndPoint.Address}.", nameof(options));
        }
        _wheel = new SipTimerWheel(timeProvider: options.TimeProvider);
        _transactions = new SipTransactionLayer(_wheel) { RequestReceived = OnRequest };
        // The parts before the listeners: a request may arrive as soon as a socket is bound.
        _digest = new DigestVerifier(options.Realm, options.TimeProvider, options.NonceLifetime);
        _locations = new LocationService(options.TimeProvider, options.MinExpires, options.MaxExpires);
        _relay = new RegistrarRelay(_transactions, _locations);
        _udp = new UdpTransport(options.UdpEndPoint, _transactions);
        if (options.TcpEndPoint is not null || options.WsEndPoint is not null)
        {
            var limits = options.Limits ?? new RegistrarLimits();
            _guard = new ConnectionGuard(_wheel, options.TimeProvider, limits.MaxConcurrentConnections, limits.IdleTimeout, limits.IncompleteMessageTimeout);
        }
        if (options.TcpEndPoint is { } tcp)
        {
            if (!IPAddress.IsLoopback(tcp.Address))
            {
                throw new ArgumentException($"The embedded registrar listens on loopback only, not {tcp.Address}.", nameof(options));
            }
            _tcp = new TcpListenerTransport(tcp, _transactions, _guard);
        }
        if (options.WsEndPoint is { } ws)
        {
            if (!IPAddress.IsLoopback(ws.Address))
            {
                throw new ArgumentException($"The embedded registrar listens on loopback only, not {ws.Address}.", nameof(options));
            }
            _ws = new WebSocketListenerTransport(ws, _transactions, _guard);
        }
        _sweep = _wheel.Schedule(TimeSpan.FromSeconds(1), static s => ((EmbeddedRegistrar)s!).Sweep(), this);
    }

    /// <summary>Starts a registrar; it listens when this returns.</summary>
    public static EmbeddedRegistrar Start(EmbeddedRegistrarOptions? options = null) => new(options ?? new EmbeddedRegistrarOptions());

    public IPEndPoint UdpEndPoint => _udp.LocalEndPoint;

    /// <summary>The TCP listener's address, or null when there is none.</summary>
    public IPEndPoint? TcpEndPoint => _tcp?.LocalEndPoint;

    /// <summary>The WebSocket listener's address, or null when there is none.</summary>
    public IPEndPoint? WsEndPoint => _ws?.LocalEndPoint;

    /// <summary>The domain accounts register in: the listener's address.</summary>
    public string Domain => UdpEndPoint.Address.ToString();

    public string Realm => _options.Realm;

    /// <summary>Users with at least one live binding.</summary>
    public int RegisteredUsers => _locations.RegisteredUsers;

    public long Challenges => Interlocked.Read(ref _challenges);
    public long AuthenticationFailures => Interlocked.Read(ref _authFailures);
    public long SuccessfulRegistrations => Interlocked.Read(ref _registrations);

    /// <summary>TCP and WS connections open now (handshakes included).</summary>
    public int OpenConnections => _guard?.OpenConnections ?? 0;

    /// <summary>Connections closed as soon as they were accepted: <see cref="RegistrarLimits.MaxConcurrentConnections"/> were open.</summary>
    public long RefusedConnections => _guard?.RefusedConnections ?? 0;

    /// <summary>Connections closed after <see cref="RegistrarLimits.IdleTimeout"/> without a byte.</summary>
    public long IdleTimeouts => _guard?.IdleTimeouts ?? 0;

    /// <summary>Connections closed because a message stayed unfinished for <see cref="RegistrarLimits.IncompleteMessageTimeout"/>.</summary>
    public long IncompleteMessageTimeouts => _guard?.IncompleteMessageTimeouts ?? 0;

    /// <summary>
    /// With <see cref="EmbeddedRegistrarOptions.RegisterResponseDelay"/>: the most REGISTERs held
    /// unanswered at once, i.e. how many a client had in flight together.
    /// </summary>
    public int PeakHeldResponses => Volatile.Read(ref _peakHeldResponses);

    /// <summary>Raised after each successful REGISTER: user, contact, granted seconds (0 for an un-REGISTER). On a receive loop: keep it short.</summary>
    public event Action<string, string, int>? Registered;

    /// <summary>The live bindings of a user.</summary>
    public IReadOnlyList<RegistrarBinding> GetBindings(string user) => _locations.GetBindings(user);

    private void OnRequest(SipServerTransaction transaction)
    {
        try
        {
            switch (transaction.Request.Method)
            {
                case SipMethod.Register:
                    OnRegister(transaction);
                    break;
                case SipMethod.Ack:
                    _relay.RelayAck(transaction.Request); // an ACK to a relayed 2xx: passed on statelessly (no transaction of ours)
                    break;
                default:
                    if (_options.AuthenticateRelayedRequests && transaction.Request.Method is not SipMethod.Cancel && !AuthenticateSender(transaction))
                    {
                        break;
                    }
                    if (!_relay.TryRelay(transaction))
                    {
                        Respond(transaction, transaction.Request.Method == SipMethod.Options
                            ? transaction.CreateResponse(200, toTag: SipIdentifiers.NewTag())
                            : transaction.CreateResponse(transaction.Request.RequestUri is SipUri { User: not null } ? 404 : 501, toTag: SipIdentifiers.NewTag()));
                    }
                    break;
            }
        }
        catch (SipParseException e)
        {
            Respond(transaction, transaction.CreateResponse(400, e.Detail));
        }
    }

    private void OnRegister(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        request.Validate();
        if (request.To!.Uri is not SipUri aor || string.IsNullOrEmpty(aor.User))
        {
            Respond(transaction, transaction.CreateResponse(404, "No user in To"));
            return;
        }
        var user = aor.User;
        var password = _options.PasswordRule(user);
        if (password is null)
        {
            Respond(transaction, transaction.CreateResponse(403, toTag: SipIdentifiers.NewTag()));
            return;
        }

        switch (_digest.Verify(request, user, password))
        {
            case DigestVerdict.Missing:
                Challenge(transaction, stale: false);
                return;
            case DigestVerdict.Stale:
                Challenge(transaction, stale: true);
                return;
            case DigestVerdict.Wrong:
                Interlocked.Increment(ref _authFailures);
                Challenge(transaction, stale: false);
                return;
        }

        var update = _locations.Update(user, request.CallId!, request.CSeq!.Value.Number, request.Expires, request.IsWildcardContact,
            request.Contacts, transaction.Channel, Registered);
        switch (update.Status)
        {
            case BindingUpdateStatus.InvalidWildcard:
                Respond(transaction, transaction.CreateResponse(400, "Wildcard needs Expires: 0 alone"));
                return;
            case BindingUpdateStatus.IntervalTooBrief:
                var brief = transaction.CreateResponse(423, toTag: SipIdentifiers.NewTag());
                brief.Headers.Add(SipHeaderId.MinExpires, _locations.MinExpires.ToString(CultureInfo.InvariantCulture));
                Respond(transaction, brief);
                return;
            case BindingUpdateStatus.OutOfOrder:
                Respond(transaction, transaction.CreateResponse(400, "CSeq out of order"));
                return;
        }

        var ok = transaction.CreateResponse(200, toTag: SipIdentifiers.NewTag());
        foreach (var (binding, expires) in update.Bindings)
        {
            ok.Headers.Add(SipHeaderId.Contact, SipNameAddress.Parse(Encoding.UTF8.GetBytes(binding.Contact))
                .WithParameter("expires", expires.ToString(CultureInfo.InvariantCulture)).ToString());
        }
        Interlocked.Increment(ref _registrations);
        if (_options.RegisterResponseDelay > TimeSpan.Zero)
        {
            // A slow server: the binding is saved now, the answer leaves later.
            var held = Interlocked.Increment(ref _heldResponses);
            InterlockedMax(ref _peakHeldResponses, held);
            _ = Task.Delay(_options.RegisterResponseDelay, _options.TimeProvider)
                .ContinueWith(_ =>
                {
                    Interlocked.Decrement(ref _heldResponses);
                    Respond(transaction, ok);
                }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            return;
        }
        Respond(transaction, ok);
    }

    /// <summary>As a proxy would: the sender (From user) answers a 407 with its credentials before anything is relayed.</summary>
    private bool AuthenticateSender(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        var user = (request.From?.Uri as SipUri)?.User;
        var password = user is null ? null : _options.PasswordRule(user);
        if (user is null || password is null)
        {
            Respond(transaction, transaction.CreateResponse(403, toTag: SipIdentifiers.NewTag()));
            return false;
        }
        switch (_digest.Verify(request, user, password, SipHeaderId.ProxyAuthorization))
        {
            case DigestVerdict.Ok:
                request.Headers.Remove(SipHeaderId.ProxyAuthorization); // consumed here, not passed on
                return true;
            case DigestVerdict.Wrong:
                Interlocked.Increment(ref _authFailures);
                Respond(transaction, transaction.CreateResponse(403, toTag: SipIdentifiers.NewTag()));
                return false;
            case var verdict:
                Challenge(transaction, stale: verdict == DigestVerdict.Stale, proxy: true);
                return false;
        }
    }

    private void Challenge(SipServerTransaction transaction, bool stale, bool proxy = false)
    {
        Interlocked.Increment(ref _challenges);
        var response = transaction.CreateResponse(proxy ? 407 : 401, toTag: SipIdentifiers.NewTag());
        response.Headers.Add(proxy ? SipHeaderId.ProxyAuthenticate : SipHeaderId.WwwAuthenticate, _digest.Challenge(stale));
        Respond(transaction, response);
    }

    private static void Respond(SipServerTransaction transaction, SipResponse response) => RegistrarResponses.Respond(transaction, response);

    private void Sweep()
    {
        _locations.RemoveExpired();
        if (!_disposed)
        {
            _sweep = _wheel.Schedule(TimeSpan.FromSeconds(1), static s => ((EmbeddedRegistrar)s!).Sweep(), this);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }
            current = seen;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        _sweep.Cancel();
        await _udp.DisposeAsync().ConfigureAwait(false);
        if (_tcp is not null)
        {
            await _tcp.DisposeAsync().ConfigureAwait(false);
        }
        if (_ws is not null)
        {
            await _ws.DisposeAsync().ConfigureAwait(false);
        }
        _guard?.Dispose();
        _wheel.Dispose();
    }
}
