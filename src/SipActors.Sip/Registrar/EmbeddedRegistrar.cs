using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
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
/// </summary>
public sealed class EmbeddedRegistrar : IAsyncDisposable
{
    private readonly EmbeddedRegistrarOptions _options;
    private readonly SipTimerWheel _wheel;
    private readonly SipTransactionLayer _transactions;
    private readonly UdpTransport _udp;
    private readonly TcpListenerTransport? _tcp;
    private readonly WebSocketListenerTransport? _ws;
    private readonly NonceIssuer _nonces;
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, RegistrarBinding>> _bindings = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SipChannel> _flows = new(StringComparer.Ordinal);
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
        _udp = new UdpTransport(options.UdpEndPoint, _transactions);
        if (options.TcpEndPoint is { } tcp)
        {
            if (!IPAddress.IsLoopback(tcp.Address))
            {
                throw new ArgumentException($"The embedded registrar listens on loopback only, not {tcp.Address}.", nameof(options));
            }
            _tcp = new TcpListenerTransport(tcp, _transactions);
        }
        if (options.WsEndPoint is { } ws)
        {
            if (!IPAddress.IsLoopback(ws.Address))
            {
                throw new ArgumentException($"The embedded registrar listens on loopback only, not {ws.Address}.", nameof(options));
            }
            _ws = new WebSocketListenerTransport(ws, _transactions);
        }
        _nonces = new NonceIssuer(options.TimeProvider, options.NonceLifetime);
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
    public int RegisteredUsers => _bindings.Count(u => !u.Value.IsEmpty);

    public long Challenges => Interlocked.Read(ref _challenges);
    public long AuthenticationFailures => Interlocked.Read(ref _authFailures);
    public long SuccessfulRegistrations => Interlocked.Read(ref _registrations);

    /// <summary>
    /// With <see cref="EmbeddedRegistrarOptions.RegisterResponseDelay"/>: the most REGISTERs held
    /// unanswered at once, i.e. how many a client had in flight together.
    /// </summary>
    public int PeakHeldResponses => Volatile.Read(ref _peakHeldResponses);

    /// <summary>Raised after each successful REGISTER: user, contact, granted seconds (0 for an un-REGISTER). On a receive loop: keep it short.</summary>
    public event Action<string, string, int>? Registered;

    /// <summary>The live bindings of a user.</summary>
    public IReadOnlyList<RegistrarBinding> GetBindings(string user)
    {
        var now = _options.TimeProvider.GetUtcNow();
        return _bindings.TryGetValue(user, out var bindings) ? [.. bindings.Values.Where(b => b.ExpiresAt > now)] : [];
    }

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
                    RelayAck(transaction.Request); // an ACK to a relayed 2xx: passed on statelessly (no transaction of ours)
                    break;
                default:
                    if (_options.AuthenticateRelayedRequests && transaction.Request.Method is not SipMethod.Cancel && !AuthenticateSender(transaction))
                    {
                        break;
                    }
                    if (!TryRelay(transaction))
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

        switch (Authenticate(request, user, password))
        {
            case AuthResult.Missing:
                Challenge(transaction, stale: false);
                return;
            case AuthResult.Stale:
                Challenge(transaction, stale: true);
                return;
            case AuthResult.Wrong:
                Interlocked.Increment(ref _authFailures);
                Challenge(transaction, stale: false);
                return;
        }

        var now = _options.TimeProvider.GetUtcNow();
        var defaultExpires = request.Expires ?? 3600;
        var bindings = _bindings.GetOrAdd(user, static _ => new ConcurrentDictionary<string, RegistrarBinding>(StringComparer.Ordinal));
        var cseq = request.CSeq!.Value.Number;
        if (request.IsWildcardContact)
        {
            if (defaultExpires != 0 || request.Contacts.Count != 1)
            {
                Respond(transaction, transaction.CreateResponse(400, "Wildcard needs Expires: 0 alone"));
                return;
            }
            bindings.Clear();
        }
        foreach (var contact in request.IsWildcardContact ? [] : request.Contacts)
        {
            var expires = contact.Expires ?? defaultExpires;
            if (expires != 0 && expires < _options.MinExpires)
            {
                var brief = transaction.CreateResponse(423, toTag: SipIdentifiers.NewTag());
                brief.Headers.Add(SipHeaderId.MinExpires, _options.MinExpires.ToString(CultureInfo.InvariantCulture));
                Respond(transaction, brief);
                return;
            }
            expires = Math.Min(expires, _options.MaxExpires);
            var instance = contact.GetParameter("+sip.instance");
            var regId = contact.GetParameter("reg-id");
            // RFC 5626 §6: with an instance and reg-id the flow identifies the binding; else the URI does.
            var key = instance is not null && regId is not null ? instance + "|" + regId : contact.Uri.ToString();
            if (bindings.TryGetValue(key, out var existing) && existing.CallId == request.CallId && existing.CSeq >= cseq)
            {
                Respond(transaction, transaction.CreateResponse(400, "CSeq out of order"));
                return;
            }
            Registered?.Invoke(user, contact.UriText, expires);
            if (expires == 0)
            {
                bindings.TryRemove(key, out _);
                continue;
            }
            bindings[key] = new RegistrarBinding(user, contact.ToString(), contact.UriText, request.CallId!, cseq, now.AddSeconds(expires), instance, regId);
            _flows[key] = transaction.Channel;
        }

        var ok = transaction.CreateResponse(200, toTag: SipIdentifiers.NewTag());
        foreach (var binding in bindings.Values)
        {
            var remaining = (int)Math.Ceiling((binding.ExpiresAt - now).TotalSeconds);
            if (remaining > 0)
            {
                ok.Headers.Add(SipHeaderId.Contact, SipNameAddress.Parse(Encoding.UTF8.GetBytes(binding.Contact))
                    .WithParameter("expires", remaining.ToString(CultureInfo.InvariantCulture)).ToString());
            }
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

    /// <summary>
    /// Relays a request for a registered user to its newest binding, over the flow the user
    /// registered on (its connection, or its UDP address), in a transaction of our own: our Via
    /// goes on top, responses come back through it and are passed on without it. A test rig's
    /// proxy: no Record-Route, no forking, no authentication of the sender.
    /// </summary>
    private bool TryRelay(SipServerTransaction incoming)
    {
        var request = incoming.Request;
        if (!TryFindFlow(request, out var contactUri, out var flow))
        {
            return false;
        }
        if (request.MaxForwards is <= 0)
        {
            Respond(incoming, incoming.CreateResponse(483, toTag: SipIdentifiers.NewTag()));
            return true;
        }

        var relayed = Relayed(request, contactUri, flow);
        var relay = request.Method == SipMethod.Invite
            ? _transactions.SendInviteAsync(relayed, flow, response => OnRelayedInviteResponse(incoming, response))
            : _transactions.SendRequestAsync(relayed, flow);
        if (request.Method == SipMethod.Invite)
        {
            // Our transaction answered the CANCEL with 200 and the INVITE with 487; the callee must stop ringing too.
            incoming.Cancelled += _ => SendCancel(relayed, flow);
        }
        _ = relay.ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully)
            {
                // An INVITE's 2xx was passed on as it came (OnRelayedInviteResponse); every other final response goes back here.
                if (request.Method != SipMethod.Invite || !t.Result.IsSuccess)
                {
                    PassBack(incoming, t.Result);
                }
            }
            else
            {
                Respond(incoming, incoming.CreateResponse(t.Exception?.InnerException is Transactions.SipTransactionTimeoutException ? 408 : 503,
                    toTag: SipIdentifiers.NewTag()));
            }
        }, TaskScheduler.Default);
        return true;
    }

    /// <summary>Provisionals and every 2xx (retransmissions too: the INVITE's 2xx is end to end) go back as they come.</summary>
    private static void OnRelayedInviteResponse(SipServerTransaction incoming, SipResponse response)
    {
        if (response.StatusCode >= 300)
        {
            return;
        }
        if (response.IsSuccess && incoming.IsCompleted)
        {
            var top = response.Headers.IndexOf(SipHeaderId.Via);
            if (top >= 0)
            {
                response.Headers.RemoveAt(top);
            }
            _ = SendRawQuietly(incoming.Channel, response.ToArray());
            return;
        }
        PassBack(incoming, response);
    }

    /// <summary>An ACK for a 2xx we relayed: to the callee's flow, with our Via on top.</summary>
    private void RelayAck(SipRequest ack)
    {
        if (TryFindFlow(ack, out var contactUri, out var flow) && ack.MaxForwards is not <= 0)
        {
            _ = SendRawQuietly(flow, Relayed(ack, contactUri, flow).ToArray());
        }
    }

    /// <summary>§9.1 for the relayed INVITE: same Request-URI, top Via, Call-ID, From, To and CSeq number.</summary>
    private void SendCancel(SipRequest relayed, SipChannel flow)
    {
        var cancel = new SipRequest(SipMethod.Cancel, relayed.RequestUriText);
        foreach (var id in (ReadOnlySpan<SipHeaderId>)[SipHeaderId.Via, SipHeaderId.From, SipHeaderId.To, SipHeaderId.CallId])
        {
            if (relayed.Headers.TryGetValue(id, out var value))
            {
                cancel.Headers.Add(id, value);
            }
        }
        cancel.Headers.Add(SipHeaderId.MaxForwards, "70");
        cancel.Headers.Add(SipHeaderId.CSeq, string.Create(CultureInfo.InvariantCulture, $"{relayed.CSeq?.Number ?? 1} CANCEL"));
        _ = _transactions.SendRequestAsync(cancel, flow).ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
    }

    private static async Task SendRawQuietly(SipChannel channel, ReadOnlyMemory<byte> bytes)
    {
        try
        {
            await channel.SendAsync(bytes).ConfigureAwait(false);
        }
        catch (SipTransportException)
        {
        }
    }

    private bool TryFindFlow(SipRequest request, out string contactUri, out SipChannel flow)
    {
        contactUri = "";
        flow = null!;
        if (request.RequestUri is not SipUri { User: { } user } || !_bindings.TryGetValue(user, out var bindings))
        {
            return false;
        }
        var now = _options.TimeProvider.GetUtcNow();
        var binding = bindings.Where(b => b.Value.ExpiresAt > now).OrderByDescending(b => b.Value.ExpiresAt).FirstOrDefault();
        if (binding.Value is null || !_flows.TryGetValue(binding.Key, out var found) || found.IsClosed)
        {
            return false;
        }
        contactUri = binding.Value.ContactUri;
        flow = found;
        return true;
    }

    private static SipRequest Relayed(SipRequest request, string contactUri, SipChannel flow)
    {
        var relayed = new SipRequest(request.MethodName, contactUri);
        var via = $"SIP/2.0/{flow.Kind.ViaToken()} {flow.LocalEndPoint};branch={SipIdentifiers.NewBranch()}";
        relayed.Headers.Add(SipHeaderId.Via, via);
        var headers = request.Headers;
        for (var i = 0; i < headers.Count; i++)
        {
            var id = headers.GetId(i);
            if (id == SipHeaderId.MaxForwards)
            {
                relayed.Headers.Add(id, ((request.MaxForwards ?? 70) - 1).ToString(CultureInfo.InvariantCulture));
            }
            else if (id == SipHeaderId.Extension)
            {
                relayed.Headers.Add(headers.GetName(i), Encoding.UTF8.GetString(headers.GetValueSpan(i)));
            }
            else if (id is not (SipHeaderId.ContentLength or SipHeaderId.Route))
            {
                relayed.Headers.Add(id, headers.GetValueSpan(i));
            }
        }
        relayed.Body = request.Body;
        return relayed;
    }

    /// <summary>A response from the relayed side, without our Via, to the original sender.</summary>
    private static void PassBack(SipServerTransaction incoming, SipResponse response)
    {
        var top = response.Headers.IndexOf(SipHeaderId.Via);
        if (top >= 0)
        {
            response.Headers.RemoveAt(top);
        }
        _ = SendQuietly(incoming, response);
    }

    private enum AuthResult { Ok, Missing, Stale, Wrong }

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
        switch (Authenticate(request, user, password, SipHeaderId.ProxyAuthorization))
        {
            case AuthResult.Ok:
                request.Headers.Remove(SipHeaderId.ProxyAuthorization); // consumed here, not passed on
                return true;
            case AuthResult.Wrong:
                Interlocked.Increment(ref _authFailures);
                Respond(transaction, transaction.CreateResponse(403, toTag: SipIdentifiers.NewTag()));
                return false;
            case var result:
                Challenge(transaction, stale: result == AuthResult.Stale, proxy: true);
                return false;
        }
    }

    private AuthResult Authenticate(SipRequest request, string user, string password, SipHeaderId header = SipHeaderId.Authorization)
    {
        var value = request.Headers.GetFirst(header);
        return value is null ? AuthResult.Missing : Authenticate(request, user, password, value);
    }

    private AuthResult Authenticate(SipRequest request, string user, string password, string header)
    {
        if (!DigestParameters.TryParse(header, out var p, out _))
        {
            return AuthResult.Missing;
        }
        if (!p.TryGetValue("username", out var username) || !p.TryGetValue("realm", out var realm) || !p.TryGetValue("nonce", out var nonce)
            || !p.TryGetValue("uri", out var uri) || !p.TryGetValue("response", out var response))
        {
            return AuthResult.Wrong;
        }
        if (username != user || realm != _options.Realm)
        {
            return AuthResult.Wrong;
        }
        var (valid, stale) = _nonces.Check(nonce);
        if (!valid)
        {
            return stale ? AuthResult.Stale : AuthResult.Missing;
        }
        var algorithm = p.TryGetValue("algorithm", out var name) ? DigestAlgorithms.FromToken(name) : DigestAlgorithm.Md5;
        if (algorithm is null)
        {
            return AuthResult.Wrong;
        }
        p.TryGetValue("qop", out var qop);
        p.TryGetValue("nc", out var nc);
        p.TryGetValue("cnonce", out var cnonce);
        if (qop is not null && (qop != "auth" || nc is null || cnonce is null))
        {
            return AuthResult.Wrong;
        }
        var expected = DigestCalculator.Response(algorithm.Value, username, realm, password, nonce, cnonce ?? "", nc ?? "", qop,
            request.MethodName, uri, default);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(response.ToLowerInvariant()))
            ? AuthResult.Ok
            : AuthResult.Wrong;
    }

    private void Challenge(SipServerTransaction transaction, bool stale, bool proxy = false)
    {
        Interlocked.Increment(ref _challenges);
        var response = transaction.CreateResponse(proxy ? 407 : 401, toTag: SipIdentifiers.NewTag());
        response.Headers.Add(proxy ? SipHeaderId.ProxyAuthenticate : SipHeaderId.WwwAuthenticate,
            $"Digest realm=\"{_options.Realm}\", nonce=\"{_nonces.Issue()}\", qop=\"auth\", algorithm=MD5{(stale ? ", stale=true" : "")}");
        Respond(transaction, response);
    }

    private static void Respond(SipServerTransaction transaction, SipResponse response)
    {
        response.Headers.Add(SipHeaderId.Server, "SipActors embedded registrar");
        _ = SendQuietly(transaction, response);
    }

    private static async Task SendQuietly(SipServerTransaction transaction, SipResponse response)
    {
        try
        {
            await transaction.RespondAsync(response).ConfigureAwait(false);
        }
        catch (SipTransportException)
        {
            // The client retransmits; the response is sent again then.
        }
    }

    private void Sweep()
    {
        var now = _options.TimeProvider.GetUtcNow();
        foreach (var (_, bindings) in _bindings)
        {
            foreach (var (key, binding) in bindings)
            {
                if (binding.ExpiresAt <= now)
                {
                    bindings.TryRemove(new(key, binding));
                }
            }
        }
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
        _wheel.Dispose();
    }
}
