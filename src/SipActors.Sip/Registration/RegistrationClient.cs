using System.Globalization;
using System.Text;
using SipActors.Sip.Auth;
using SipActors.Sip.Diagnostics;
using SipActors.Sip.Headers;
using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;

namespace SipActors.Sip.Registration;

/// <summary>
/// Registers one account over one channel (RFC 3261 §10.2, RFC 5626 Contact). Keeps the Call-ID
/// stable and CSeq increasing across every REGISTER of the account; answers a digest challenge
/// once (again only when the server says the nonce was stale); retries once with Min-Expires
/// after 423; sends one fresh REGISTER after a 400 (the registrar may have saved the binding and
/// then seen a retransmission with an old CSeq, DESIGN.md). Refreshes reuse the last challenge,
/// so a refresh costs one round trip. Not thread-safe: one exchange at a time.
/// </summary>
public sealed class RegistrationClient
{
    private const int MaxAttempts = 5;

    private readonly SipTransactionLayer _transactions;
    private SipChannel _channel;
    private readonly RegistrationOptions _options;
    private readonly DigestAuthenticator _authenticator = new();
    private readonly DigestCredentials? _credentials;
    private readonly string _requestUri;
    private readonly byte[]? _requestUriBytes; // null for a URI the request's checks would refuse: it takes their path
    private readonly string _aor;
    private readonly string _addressOfRecord; // the name-addr of From and To, formatted once
    private readonly string _contactUri;
    private readonly string _instance;
    private DigestRetry _digest; // the last challenge, kept for refreshes, and this exchange's answers
    private uint _cseq;
    private string? _staleContactUri; // a binding of an earlier flow, removed by the next REGISTER

    public RegistrationClient(SipTransactionLayer transactions, SipChannel channel, RegistrationOptions options)
    {
        _transactions = transactions ?? throw new ArgumentNullException(nameof(transactions));
        _channel = channel ?? throw new ArgumentNullException(nameof(channel));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.User);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Domain);
        if (options.Password is not null)
        {
            _credentials = new DigestCredentials(options.AuthUser ?? options.User, options.Password);
        }
        (_requestUri, _requestUriBytes) = RequestUriOf(options.Domain);
        _aor = $"sip:{options.User}@{options.Domain}";
        // Without a display name the name-addr is the URI in brackets: no SipNameAddress and builder per account.
        _addressOfRecord = string.IsNullOrEmpty(options.DisplayName) ? string.Concat("<", _aor, ">") : new SipNameAddress(_aor, options.DisplayName).ToString();
        _instance = options.InstanceId ?? SipIdentifiers.InstanceUrn(_aor);
        CallId = SipIdentifiers.NewCallId();
        SentBy = ViaSentBy(channel);
        _contactUri = $"sip:{options.User}@{SentBy};transport={channel.Kind.UriParameter()}";
        Contact = FormatContact(_contactUri, _instance, options.RegId);
    }

    // The last registrar URI and Via sent-by made, shared by the next account of the same domain
    // and socket (one pair for thousands of accounts on one UDP socket): ~90 bytes of every account.
    private static volatile Tuple<string, string, byte[]?>? s_requestUri;
    private static volatile Tuple<System.Net.IPEndPoint, string>? s_sentBy;

    private static (string Text, byte[]? Bytes) RequestUriOf(string domain)
    {
        var last = s_requestUri;
        if (last is not null && string.Equals(last.Item1, domain, StringComparison.Ordinal))
        {
            return (last.Item2, last.Item3);
        }
        var uri = "sip:" + domain;
        var bytes = SipRequest.IsValidRequestUri(uri) ? Encoding.UTF8.GetBytes(uri) : null;
        s_requestUri = Tuple.Create(domain, uri, bytes);
        return (uri, bytes);
    }

    /// <summary>
    /// <c>&lt;uri&gt;;+sip.instance="&lt;urn&gt;";reg-id=N</c>, as <see cref="SipNameAddress"/> writes it, in one
    /// string (the name-addr, its parameter list and the bracketed URN were garbage of every account);
    /// an instance that needs escaping takes that path.
    /// </summary>
    private static string FormatContact(string contactUri, string instance, int regId)
    {
        if (instance.AsSpan().ContainsAny('"', '\\'))
        {
            return new SipNameAddress(contactUri, null,
                [new("+sip.instance", "<" + instance + ">"), new("reg-id", regId.ToString(CultureInfo.InvariantCulture))]).ToString();
        }
        return string.Create(CultureInfo.InvariantCulture, $"<{contactUri}>;+sip.instance=\"<{instance}>\";reg-id={regId}");
    }

    /// <summary>The Call-ID of every REGISTER of this account.</summary>
    public string CallId { get; private set; }

    /// <summary>Whether the registrar holds our binding as far as we know (a REGISTER got its 2xx, no un-REGISTER since).</summary>
    public bool HasBinding { get; private set; }

    /// <summary>
    /// Takes over from the client of an earlier flow of the same account, lost before it could
    /// un-register: the same Call-ID and the next CSeq (RFC 3261 §10.2.4, one Call-ID per boot),
    /// and, when the Contact changed with the flow (a new TCP/TLS port, a new WebSocket host), the
    /// next REGISTER removes the old binding with <c>expires=0</c>: a registrar that keys bindings
    /// by Contact, as Kamailio does without outbound support, would otherwise keep it until it
    /// expires, and route requests to a flow that is gone.
    /// </summary>
    public void ContinueFrom(RegistrationClient previous)
    {
        ArgumentNullException.ThrowIfNull(previous);
        CallId = previous.CallId;
        _cseq = previous._cseq;
        var stale = previous.HasBinding && !string.Equals(previous._contactUri, _contactUri, StringComparison.OrdinalIgnoreCase)
            ? previous._contactUri
            : previous._staleContactUri;
        _staleContactUri = stale is not null && !string.Equals(stale, _contactUri, StringComparison.OrdinalIgnoreCase) ? stale : null;
    }

    /// <summary>
    /// Takes over a registration saved elsewhere (another node that ran this account and is gone):
    /// the same Call-ID and the next CSeq, and, when the saved Contact is not ours, the next
    /// REGISTER removes it with <c>expires=0</c>. Before the first exchange only.
    /// </summary>
    public void ContinueFrom(RegistrationBinding saved)
    {
        ArgumentNullException.ThrowIfNull(saved);
        ArgumentException.ThrowIfNullOrWhiteSpace(saved.CallId);
        CallId = saved.CallId;
        _cseq = Math.Max(_cseq, saved.CSeq);
        _staleContactUri = string.Equals(saved.ContactUri, _contactUri, StringComparison.OrdinalIgnoreCase) || saved.ContactUri.Length == 0
            ? null
            : saved.ContactUri;
    }

    /// <summary>The binding as the registrar holds it after our last granted REGISTER; null while it holds none of ours.</summary>
    public RegistrationBinding? Binding => HasBinding ? new RegistrationBinding(CallId, _cseq, _contactUri) : null;

    /// <summary>The Contact of an earlier flow that the next REGISTER removes, if any.</summary>
    public string? StaleContactUri => _staleContactUri;

    /// <summary>The Contact value we register.</summary>
    public string Contact { get; }

    /// <summary>The Via sent-by: our socket's address, or a random <c>.invalid</c> host on WebSocket (RFC 7118 §5.2).</summary>
    public string SentBy { get; }

    /// <summary>The Service-Route of the last successful registration.</summary>
    public IReadOnlyList<string> ServiceRoutes { get; private set; } = [];

    /// <summary>The flow REGISTERs go over.</summary>
    public SipChannel Channel => _channel;

    /// <summary>
    /// Goes on over <paramref name="channel"/>, a new flow to the same registrar, after the old
    /// one closed: the same Call-ID, the next CSeq, the same Contact (the binding to refresh or
    /// remove) and the last challenge. Not while an exchange is under way.
    /// </summary>
    public void ContinueOn(SipChannel channel) => _channel = channel ?? throw new ArgumentNullException(nameof(channel));

    /// <summary>Told when an exchange ends with an answer from the server; set once, before any exchange (a listener, not a delegate: no object per account).</summary>
    internal IRegistrationAnswerListener? Answered { get; set; }

    /// <summary>Registers (or refreshes) the binding for <see cref="RegistrationOptions.Expires"/> seconds.</summary>
    public Task<RegistrationResult> RegisterAsync() => Register().AsTask();

    /// <summary>Removes our binding: REGISTER with Expires: 0 (RFC 3261 §10.2.2).</summary>
    public Task<RegistrationResult> UnregisterAsync() => Unregister().AsTask();

    /// <summary>
    /// Registers (or refreshes) the binding, run to completion where the answers arrive;
    /// <paramref name="onCompleted"/> hears the end on the thread that ended it (see <see cref="RegistrationExchange"/>).
    /// </summary>
    public RegistrationExchange Register(Action<RegistrationExchange>? onCompleted = null) => Begin(_options.Expires, onCompleted);

    /// <summary>Removes our binding (Expires: 0), as <see cref="Register"/> runs.</summary>
    public RegistrationExchange Unregister(Action<RegistrationExchange>? onCompleted = null) => Begin(0, onCompleted);

    private RegistrationExchange Begin(int expires, Action<RegistrationExchange>? onCompleted)
    {
        _digest.BeginExchange();
        var exchange = new RegistrationExchange(this, expires, onCompleted);
        exchange.Next();
        return exchange;
    }

    /// <summary>The exchange's next REGISTER, in a new transaction that the exchange observes.</summary>
    internal void Send(RegistrationExchange exchange)
    {
        exchange.Attempt++;
        SipStackMetrics.CountRegister(exchange.Attempt == 1
            ? (exchange.Expires == 0 ? RegisterKind.Unregister : HasBinding ? RegisterKind.Refresh : RegisterKind.Initial)
            : exchange.AnsweringChallenge ? RegisterKind.Challenged : RegisterKind.Retry);
        var request = BuildRegister(exchange.Expires);
        try
        {
            _transactions.SendRequest(request, _channel, exchange);
        }
        finally
        {
            // The transaction has its own copy of the bytes (taken before it started): the request's arrays go back.
            request.Headers.ReturnToPool();
        }
    }

    /// <summary>
    /// What a final response means for the exchange: its result, or null when the next REGISTER
    /// is due (a challenge answered once, again only for a stale nonce; Min-Expires after 423; one
    /// fresh REGISTER after 400), at most five in all.
    /// </summary>
    internal RegistrationResult? Decide(RegistrationExchange exchange, SipResponse response)
    {
        var (status, attempt) = (response.StatusCode, exchange.Attempt);
        if (status is >= 200 and < 300)
        {
            return Success(response, exchange.Expires, attempt);
        }
        if (attempt >= MaxAttempts)
        {
            return Failure(RegistrationFailureCauses.FromStatus(status), response, null, attempt);
        }
        if (status is 401 or 407)
        {
            // Once per exchange, again only for a stale nonce: anything else means the credentials are wrong.
            var decision = _digest.Decide(response, _credentials);
            exchange.AnsweringChallenge = decision == DigestRetryDecision.Retry;
            return decision == DigestRetryDecision.Retry
                ? null
                : Failure(RegistrationFailureCause.AuthenticationError, response, DigestRetry.Explain(decision), attempt);
        }
        if (status == 423 && !exchange.RetriedMinExpires && response.MinExpires is { } min && min > exchange.Expires)
        {
            exchange.Expires = min;
            exchange.RetriedMinExpires = true;
            exchange.AnsweringChallenge = false;
            return null;
        }
        if (status == 400 && !exchange.RetriedBadRequest)
        {
            exchange.RetriedBadRequest = true;
            exchange.AnsweringChallenge = false;
            return null;
        }
        return Failure(RegistrationFailureCauses.FromStatus(status), response, null, attempt);
    }

    /// <summary>A transaction of the exchange ended without an answer: a timeout or a transport error is a result, anything else an error.</summary>
    internal RegistrationResult? Failed(RegistrationExchange exchange, Exception error) => error switch
    {
        SipTransactionTimeoutException => Failure(RegistrationFailureCause.RequestTimeout, null, error.Message, exchange.Attempt),
        SipTransportException => Failure(RegistrationFailureCause.ConnectionError, null, error.Message, exchange.Attempt),
        _ => null,
    };

    private SipRequest BuildRegister(int expires)
    {
        var request = _requestUriBytes is { } uri ? SipRequest.Rented(SipMethod.Register, _requestUri, uri) : SipRequest.Rented(SipMethod.Register, _requestUri);
        var h = request.Headers;
        var cseq = ++_cseq;
        // The lines that change per request are written on the stack, not as strings first (~600
        // bytes of every registration); a value too long for the stack takes the string path.
        Span<char> line = stackalloc char[512];
        if (line.TryWrite(CultureInfo.InvariantCulture, $"SIP/2.0/{_channel.Kind.ViaToken()} {SentBy};branch=", out var n)
            && SipIdentifiers.TryWriteBranch(line[n..], out var branch) && ";rport".TryCopyTo(line[(n + branch)..]))
        {
            h.Add(SipHeaderId.Via, line[..(n + branch + 6)]);
        }
        else
        {
            h.Add(SipHeaderId.Via, SipVia.NewTop(_channel.Kind, SentBy));
        }
        h.Add(SipHeaderId.MaxForwards, "70"u8);
        if (line.TryWrite(CultureInfo.InvariantCulture, $"{_addressOfRecord};tag=", out n) && SipIdentifiers.TryWriteTag(line[n..], out var tag))
        {
            h.Add(SipHeaderId.From, line[..(n + tag)]);
        }
        else
        {
            h.Add(SipHeaderId.From, string.Concat(_addressOfRecord, ";tag=", SipIdentifiers.NewTag()));
        }
        h.Add(SipHeaderId.To, _addressOfRecord);
        h.Add(SipHeaderId.CallId, CallId);
        line.TryWrite(CultureInfo.InvariantCulture, $"{cseq} REGISTER", out n);
        h.Add(SipHeaderId.CSeq, line[..n]);
        h.Add(SipHeaderId.Contact, Contact);
        if (_staleContactUri is not null)
        {
            // Its own expires parameter outranks the Expires header (RFC 3261 §10.2.1.1).
            h.Add(SipHeaderId.Contact, "<" + _staleContactUri + ">;expires=0");
        }
        expires.TryFormat(line, out n, default, CultureInfo.InvariantCulture);
        h.Add(SipHeaderId.Expires, line[..n]);
        _digest.Authorize(request, _credentials, _authenticator);
        h.Add(SipHeaderId.Allow, "INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, NOTIFY, UPDATE");
        h.Add(SipHeaderId.Supported, "path, outbound");
        h.Add(SipHeaderId.UserAgent, _options.UserAgent);
        var extra = _options.ExtraHeaders;
        for (var i = 0; i < extra.Count; i++) // by index: no enumerator per REGISTER
        {
            h.Add(extra[i].Key, extra[i].Value);
        }
        return request;
    }

    private RegistrationResult Success(SipResponse response, int requested, int attempts)
    {
        ServiceRoutes = response.Headers.GetValues(SipHeaderId.ServiceRoute);
        HasBinding = requested > 0;
        _staleContactUri = null;
        return new RegistrationResult
        {
            Success = true,
            StatusCode = response.StatusCode,
            ReasonPhrase = response.ReasonPhrase,
            GrantedExpires = requested == 0 ? 0 : GrantedExpires(response, requested),
            Contact = Contact,
            ServiceRoutes = ServiceRoutes,
            Attempts = attempts,
        };
    }

    /// <summary>Our Contact's <c>expires</c> in the 2xx (matched by instance, else URI), else the Expires header, else what we asked.</summary>
    /// <remarks>Read in place (the Contacts as objects came to ~700 bytes of every registration); a Contact that does not parse takes the object path, which reports it as before.</remarks>
    private int GrantedExpires(SipResponse response, int requested)
    {
        Span<byte> regId = stackalloc byte[11];
        _options.RegId.TryFormat(regId, out var regIdLength, default, CultureInfo.InvariantCulture);
        foreach (var raw in response.Headers.EnumerateValues(SipHeaderId.Contact))
        {
            if (!NameAddressValue.TryParse(raw, out var contact))
            {
                return GrantedExpiresFromObjects(response, requested);
            }
            if (contact.IsWildcard)
            {
                continue;
            }
            var ours = contact.TryGetParameter("+sip.instance"u8, out var instance) && !instance.IsEmpty
                ? Ascii.Equals(Unquoted(instance).Trim("<>"u8), _instance)
                    && contact.TryGetParameter("reg-id"u8, out var id) && Unquoted(id).SequenceEqual(regId[..regIdLength])
                : Ascii.EqualsIgnoreCase(contact.Uri, _contactUri);
            if (ours && contact.TryGetParameter("expires"u8, out var expires)
                && int.TryParse(Unquoted(expires), NumberStyles.None, CultureInfo.InvariantCulture, out var e))
            {
                return e;
            }
        }
        return response.Expires ?? requested;
    }

    /// <summary>A parameter's value without its quotes (the values compared here carry no escapes).</summary>
    private static ReadOnlySpan<byte> Unquoted(ReadOnlySpan<byte> value)
        => value.Length >= 2 && value[0] == (byte)'"' && value[^1] == (byte)'"' ? value[1..^1] : value;

    private int GrantedExpiresFromObjects(SipResponse response, int requested)
    {
        foreach (var contact in response.Contacts)
        {
            var instance = contact.GetParameter("+sip.instance");
            var ours = instance is not null
                ? instance.Trim('<', '>') == _instance && contact.GetParameter("reg-id") == _options.RegId.ToString(CultureInfo.InvariantCulture)
                : string.Equals(contact.UriText, _contactUri, StringComparison.OrdinalIgnoreCase);
            if (ours && contact.Expires is { } e)
            {
                return e;
            }
        }
        return response.Expires ?? requested;
    }

    private RegistrationResult Failure(RegistrationFailureCause cause, SipResponse? response, string? error, int attempts) => new()
    {
        Success = false,
        StatusCode = response?.StatusCode,
        ReasonPhrase = response?.ReasonPhrase,
        Cause = cause,
        Contact = Contact,
        RetryAfter = response?.RetryAfter?.Delay,
        Error = error,
        Attempts = attempts,
    };

    private static string ViaSentBy(SipChannel channel)
    {
        if (channel.Kind is SipTransportKind.Ws or SipTransportKind.Wss)
        {
            return Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6)) + ".invalid";
        }
        var local = channel.LocalEndPoint;
        var last = s_sentBy;
        if (last is not null && last.Item1.Equals(local))
        {
            return last.Item2;
        }
        var host = local.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{local.Address}]" : local.Address.ToString();
        var sentBy = string.Create(CultureInfo.InvariantCulture, $"{host}:{local.Port}");
        s_sentBy = Tuple.Create(local, sentBy);
        return sentBy;
    }
}
