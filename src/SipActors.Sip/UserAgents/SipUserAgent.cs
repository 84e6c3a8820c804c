using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using SipActors.Sip.Auth;
using SipActors.Sip.Calls;
using SipActors.Sip.Headers;
using SipActors.Sip.Messaging;
using SipActors.Sip.Registration;
using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;

namespace SipActors.Sip.UserAgents;

/// <summary>
/// One account's SIP user agent over one flow: connects its transport (for UDP: the server must
/// answer an OPTIONS), registers through <see cref="RegistrationClient"/>, receives requests through
/// the stack's directory, and reports the loss of its connection once. Every operation is a task
/// the caller can pipe; none blocks.
/// </summary>
public sealed class SipUserAgent : IAsyncDisposable, IRegistrationAnswerListener
{
    private readonly SipStack _stack;
    private SipChannel? _channel;
    private RegistrationClient? _registration;
    private OutOfDialogClient? _requests;
    private ISipRequestHandler? _handler;
    private SipCallContext? _calling;
    // Made on first use, like the two clients above: most accounts of a load run never send a
    // MESSAGE or place a call, and these came to ~700 bytes of every idle account.
    private ConcurrentDictionary<SipCall, byte>? _calls;
    private bool _disconnecting;
    private Task<SipChannel>? _reopening; // the new connection being opened for requests whose flow closed
    private RegistrationBinding? _continueFrom; // a registration saved elsewhere, taken over by the first flow

    /// <summary>How long a new connection for a request whose flow closed may take before the request fails.</summary>
    private static readonly TimeSpan ReopenTimeout = TimeSpan.FromSeconds(10);

    public SipUserAgent(SipStack stack, SipUserAgentOptions options)
    {
        _stack = stack ?? throw new ArgumentNullException(nameof(stack));
        Options = options ?? throw new ArgumentNullException(nameof(options));
    }

    public SipUserAgentOptions Options { get; }

    /// <summary>The flow's local address once connected.</summary>
    public IPEndPoint? LocalEndPoint => _channel?.LocalEndPoint;

    /// <summary>The Contact we register, once connected.</summary>
    public string? Contact => _registration?.Contact;

    /// <summary>The binding of the last granted REGISTER (Call-ID, CSeq, Contact); null while the registrar holds none of ours.</summary>
    public RegistrationBinding? Binding => _registration?.Binding;

    /// <summary>
    /// Carries on a registration saved by another process that ran this account (a cluster node
    /// that died): the first flow's REGISTERs use its Call-ID and the CSeq after its last, and remove
    /// its Contact. Call before <see cref="ConnectAsync"/>; a later flow goes on from this agent's own registration.
    /// </summary>
    public void ContinueRegistration(RegistrationBinding saved)
        => _continueFrom = saved ?? throw new ArgumentNullException(nameof(saved));

    /// <summary>Raised once when the connection is lost (not when we disconnect), with the error.</summary>
    public event Action<SipUserAgent, Exception?>? ConnectionLost;

    /// <summary>
    /// Opens the flow. UDP has no connection, so the server must have answered for the flow to
    /// count as up: an OPTIONS (any status), shared by the accounts that connect at once, unless it
    /// answered another account of this stack within <see cref="SipStack.UdpServerLivenessWindow"/>.
    /// While the stack's server check knows the server unreachable, nothing is sent: the connect
    /// waits (until <paramref name="cancellationToken"/> ends it) for the check to hear it again.
    /// </summary>
    public Task ConnectAsync(CancellationToken cancellationToken = default)
        => TryConnectAtOnce() ? Task.CompletedTask : ConnectSlowAsync(cancellationToken);

    /// <summary>
    /// Opens the flow without waiting, when nothing needs waiting for: UDP to an IP address whose
    /// server answered this stack within <see cref="SipStack.UdpServerLivenessWindow"/> (most
    /// accounts of a ramp). False, with nothing done, otherwise: <see cref="ConnectAsync"/> then
    /// resolves, opens and waits as it must. Saves a connect's task, timeout and continuation.
    /// </summary>
    public bool TryConnectAtOnce()
    {
        var target = Options.Target;
        if (target.Kind != SipTransportKind.Udp || !IPAddress.TryParse(target.Host, out var address))
        {
            return false;
        }
        var remote = new IPEndPoint(address, target.Port);
        if (!_stack.UdpServerAnsweredRecently(remote))
        {
            return false;
        }
        Adopt(_stack.GetUdpTransport(remote.Address).GetChannel(remote));
        _stack.ServerMonitor.Add(remote, this);
        return true;
    }

    private async Task ConnectSlowAsync(CancellationToken cancellationToken)
    {
        var target = Options.Target;
        var remote = target.Kind is SipTransportKind.Ws or SipTransportKind.Wss
            ? new IPEndPoint(IPAddress.Loopback, target.Port) // ClientWebSocket resolves the URL itself
            : (await _stack.Resolver.ResolveAsync(target, cancellationToken).ConfigureAwait(false))[0];
        var channel = await OpenChannelAsync(target, remote, cancellationToken).ConfigureAwait(false);
        Adopt(channel);
        if (target.Kind == SipTransportKind.Udp)
        {
            if (!_stack.UdpServerAnsweredRecently(remote))
            {
                if (_stack.UdpServerCheck.Interval > TimeSpan.Zero)
                {
                    // One OPTIONS for every account connecting at once, and none of their own while the
                    // server is known unreachable: they wait for the server check to hear it again.
                    await _stack.ServerMonitor.WhenAnsweredAsync(remote, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await PingAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            _stack.ServerMonitor.Add(remote, this);
        }
    }

    /// <summary>The new flow becomes this agent's, with a registration that goes on from the last one.</summary>
    private void Adopt(SipChannel channel)
    {
        _disconnecting = false;
        _channel = channel;
        channel.Closed += OnChannelClosed;
        var previous = _registration;
        _registration = new RegistrationClient(_stack.Transactions, channel, new RegistrationOptions
        {
            User = Options.User,
            AuthUser = Options.AuthUser,
            Domain = Options.Domain,
            Password = Options.Password,
            DisplayName = Options.DisplayName,
            Expires = Options.Expires,
            UserAgent = Options.UserAgent,
            ExtraHeaders = Options.ExtraHeaders,
        })
        {
            Answered = this,
        };
        if (previous is not null)
        {
            // A reconnect after a loss: the same registration goes on, and removes the old flow's binding.
            _registration.ContinueFrom(previous);
        }
        else if (_continueFrom is { } saved)
        {
            _registration.ContinueFrom(saved);
        }
        _continueFrom = null;
        _requests = null;
        _calling = null;
    }

    /// <summary>A new flow to the target; connection-oriented ones keep themselves alive (and find a dead peer) as the stack says.</summary>
    private async Task<SipChannel> OpenChannelAsync(SipServerTarget target, IPEndPoint remote, CancellationToken cancellationToken)
    {
        var keepAlive = _stack.KeepAlive;
        switch (target.Kind)
        {
            case SipTransportKind.Udp:
                return _stack.GetUdpTransport(remote.Address).GetChannel(remote);
            case SipTransportKind.Tcp or SipTransportKind.Tls:
                var stream = await StreamChannel.ConnectAsync(target.Kind, remote, _stack.Transactions, _stack.Tls,
                    localAddress: _stack.LocalAddressFor(remote.AddressFamily), cancellationToken: cancellationToken).ConfigureAwait(false);
                if (keepAlive.Enabled)
                {
                    stream.StartKeepAlive(_stack.Wheel, keepAlive.Interval, keepAlive.PongTimeout);
                }
                return stream;
            default:
                return await WebSocketChannel.ConnectAsync(target.WebSocketUri!, _stack.Transactions, _stack.Tls,
                    keepAliveInterval: keepAlive.Enabled ? keepAlive.Interval : TimeSpan.Zero, keepAliveTimeout: keepAlive.PongTimeout,
                    localAddress: _stack.LocalAddressFor(remote.AddressFamily), remote: remote, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The out-of-dialog client of the current flow, made on first use.</summary>
    private OutOfDialogClient Requests
    {
        get
        {
            var current = Volatile.Read(ref _requests);
            if (current is not null)
            {
                return current;
            }
            var channel = _channel ?? throw new InvalidOperationException("Not connected.");
            var created = new OutOfDialogClient(_stack.Transactions, channel, new SipNameAddress(AddressOfRecord, Options.DisplayName).ToString(),
                _registration!.SentBy, Options.UserAgent, Credentials, ReopenAsync);
            return Interlocked.CompareExchange(ref _requests, created, null) ?? created;
        }
    }

    /// <summary>What calls of the current flow share, made on the first call (session actors may get here at once).</summary>
    private SipCallContext Calling
    {
        get
        {
            var current = Volatile.Read(ref _calling);
            if (current is not null)
            {
                return current;
            }
            var channel = _channel ?? throw new InvalidOperationException("Not connected.");
            var registration = _registration!;
            var created = new SipCallContext
            {
                Transactions = _stack.Transactions,
                Dialogs = _stack.Dialogs,
                Channel = channel,
                ViaPrefix = SipVia.Prefix(channel.Kind, registration.SentBy),
                Contact = "<" + SipNameAddress.Parse(Encoding.UTF8.GetBytes(registration.Contact)).UriText + ">",
                LocalIdentity = new SipNameAddress(AddressOfRecord, Options.DisplayName).ToString(),
                UserAgent = Options.UserAgent,
                Credentials = Credentials,
                CallEnded = call => _calls?.TryRemove(call, out _),
            };
            return Interlocked.CompareExchange(ref _calling, created, null) ?? created;
        }
    }

    private DigestCredentials? Credentials => Options.Password is null ? null : new DigestCredentials(Options.AuthUser ?? Options.User, Options.Password);

    /// <summary>OPTIONS to the server (any answer proves it is there); throws on timeout or transport error.</summary>
    public async Task<SipResponse> PingAsync(CancellationToken cancellationToken = default)
    {
        var channel = _channel ?? throw new InvalidOperationException("Not connected.");
        // Addressed to the server itself (host and port we send to), so a proxy answers instead of relaying it.
        var target = Options.Target;
        var host = target.Host.Contains(':', StringComparison.Ordinal) ? $"[{target.Host}]" : target.Host;
        var options = new SipRequest(SipMethod.Options, string.Create(CultureInfo.InvariantCulture, $"sip:{host}:{target.Port}"));
        options.Headers.Add(SipHeaderId.Via, SipVia.NewTop(channel.Kind, _registration!.SentBy));
        options.Headers.Add(SipHeaderId.MaxForwards, "70");
        options.Headers.Add(SipHeaderId.From, $"<sip:{Options.User}@{Options.Domain}>;tag={SipIdentifiers.NewTag()}");
        options.Headers.Add(SipHeaderId.To, $"<sip:{Options.Domain}>");
        options.Headers.Add(SipHeaderId.CallId, SipIdentifiers.NewCallId());
        options.Headers.Add(SipHeaderId.CSeq, "1 OPTIONS");
        options.Headers.Add(SipHeaderId.UserAgent, Options.UserAgent);
        var response = await _stack.Transactions.SendRequestAsync(options, channel).WaitAsync(cancellationToken).ConfigureAwait(false);
        NoteAnswered();
        return response;
    }

    /// <summary>The account's address of record, <c>sip:user@domain</c>.</summary>
    public string AddressOfRecord => $"sip:{Options.User}@{Options.Domain}";

    /// <summary>A MESSAGE (RFC 3428) to <paramref name="target"/> through the account's server; a digest challenge is answered once.</summary>
    public Task<SipRequestOutcome> SendMessageAsync(string target, ReadOnlyMemory<byte> body, string contentType, CancellationToken cancellationToken = default)
        => Requests.SendMessageAsync(target, body, contentType, cancellationToken);

    /// <summary>An OPTIONS to <paramref name="target"/> through the account's server.</summary>
    public Task<SipRequestOutcome> SendOptionsAsync(string target, CancellationToken cancellationToken = default)
        => Requests.SendOptionsAsync(target, cancellationToken);

    /// <summary>
    /// Places a call to <paramref name="target"/> (a sip:/sips: URI) through the account's server:
    /// an INVITE offering <paramref name="sdp"/>, a digest challenge answered once. Returns at
    /// once; the call's steps come through <paramref name="onEvent"/> (see <see cref="SipCall"/>).
    /// </summary>
    public SipCall PlaceCall(string target, ReadOnlyMemory<byte> sdp, Action<SipCallEvent> onEvent, SipCallOptions? options = null)
        => Track(SipCall.Place(Calling, target, sdp, options, onEvent));

    /// <summary>
    /// Wraps an incoming INVITE (as handed to <see cref="ISipRequestHandler.OnInvite"/>) in a call
    /// to Ring, Answer, Reject or HangUp; a CANCEL or BYE from the peer ends it.
    /// </summary>
    public SipCall AcceptCall(SipServerTransaction invite, Action<SipCallEvent> onEvent, SipCallOptions? options = null)
        => Track(SipCall.Receive(Calling, invite, options, onEvent));

    /// <summary>Calls of this account that have not ended.</summary>
    public int CallCount => _calls?.Count ?? 0;

    private SipCall Track(SipCall call)
    {
        if (call.State != SipCallState.Ended)
        {
            var calls = LazyInitializer.EnsureInitialized(ref _calls, static () => new ConcurrentDictionary<SipCall, byte>());
            calls.TryAdd(call, 0);
            if (call.State == SipCallState.Ended)
            {
                calls.TryRemove(call, out _); // it ended while being added
            }
        }
        return call;
    }

    /// <summary>
    /// Hangs up every call that has not ended (CANCEL, 480 or BYE, as <see cref="SipCall.HangUp"/>):
    /// a user agent that goes away on purpose says so to its peers before its flow closes.
    /// </summary>
    public void HangUpCalls()
    {
        foreach (var call in _calls?.Keys ?? [])
        {
            call.HangUp();
        }
    }

    private void EndCalls()
    {
        foreach (var call in _calls?.Keys ?? [])
        {
            call.OnConnectionLost();
        }
    }

    public Task<RegistrationResult> RegisterAsync() => Register().AsTask();

    /// <summary>
    /// Registers (or refreshes), run to completion where the answers arrive: a challenge is
    /// answered from the receive loop that read it, and <paramref name="onCompleted"/> hears the
    /// end there (see <see cref="RegistrationExchange"/>). Throws when not connected.
    /// </summary>
    public RegistrationExchange Register(Action<RegistrationExchange>? onCompleted = null)
        => (_registration ?? throw new InvalidOperationException("Not connected.")).Register(onCompleted);

    void IRegistrationAnswerListener.OnRegistrationAnswered() => NoteAnswered();

    private void NoteAnswered()
    {
        if (_channel is { Kind: SipTransportKind.Udp } channel)
        {
            _stack.NoteUdpServerAnswered(channel.RemoteEndPoint);
        }
    }

    /// <summary>
    /// Removes the binding (REGISTER with Expires: 0). When the flow turns out closed under it (the
    /// server dropped the connection before or while it was sent), it is sent once more on a new
    /// connection to the same target, which becomes this agent's flow: the same Call-ID, the next
    /// CSeq, a new branch and the Contact of the binding it removes. If that fails too, the
    /// failure is returned at once.
    /// </summary>
    public async Task<RegistrationResult> UnregisterAsync()
    {
        var registration = _registration ?? throw new InvalidOperationException("Not connected.");
        var result = await registration.UnregisterAsync().ConfigureAwait(false);
        if (result.Success || result.Cause != RegistrationFailureCause.ConnectionError || !IsClosedConnection(registration.Channel))
        {
            return result;
        }
        SipChannel fresh;
        try
        {
            fresh = await ReopenAsync(registration.Channel).ConfigureAwait(false);
        }
        catch (SipTransportException e)
        {
            return result with { Error = $"{result.Error}; a new connection failed too: {e.Message}" };
        }
        registration.ContinueOn(fresh);
        return await registration.UnregisterAsync().ConfigureAwait(false);
    }

    private static bool IsClosedConnection(SipChannel channel) => channel.IsReliable && channel.IsClosed;

    /// <summary>
    /// A new connection to the target in place of <paramref name="closed"/>: it becomes this
    /// agent's flow (its loss is reported like the old one's), and the clients made for the old
    /// flow are made again on first use. Concurrent callers share one new connection.
    /// </summary>
    private async Task<SipChannel> ReopenAsync(SipChannel closed)
    {
        Task<SipChannel> reopening;
        lock (this)
        {
            if (_channel is { IsClosed: false } current && !ReferenceEquals(current, closed))
            {
                return current; // another request already reopened the flow
            }
            reopening = _reopening ??= OpenReplacementAsync(closed);
        }
        try
        {
            return await reopening.ConfigureAwait(false);
        }
        finally
        {
            lock (this)
            {
                if (ReferenceEquals(_reopening, reopening))
                {
                    _reopening = null;
                }
            }
        }
    }

    private async Task<SipChannel> OpenReplacementAsync(SipChannel closed)
    {
        var target = Options.Target;
        using var timeout = new CancellationTokenSource(ReopenTimeout);
        SipChannel channel;
        try
        {
            var remote = target.Kind is SipTransportKind.Ws or SipTransportKind.Wss
                ? new IPEndPoint(IPAddress.Loopback, target.Port)
                : (await _stack.Resolver.ResolveAsync(target, timeout.Token).ConfigureAwait(false))[0];
            channel = await OpenChannelAsync(target, remote, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e)
        {
            throw new SipTransportException($"{target}: no new connection within {ReopenTimeout.TotalSeconds:0} s", e);
        }
        if (_disconnecting || !ReferenceEquals(_channel, closed))
        {
            // Disconnected or connected anew meanwhile: the new flow carries this one request and
            // is closed once its transaction is surely over (Timer F).
            _stack.Wheel.Schedule(_stack.Transactions.Timers.TransactionTimeout + TimeSpan.FromSeconds(1),
                static c => _ = ((IAsyncDisposable)c!).DisposeAsync().AsTask(), channel);
            return channel;
        }
        var old = _channel;
        if (old is not null)
        {
            old.Closed -= OnChannelClosed;
        }
        _channel = channel;
        channel.Closed += OnChannelClosed;
        _requests = null;
        _calling = null;
        return channel;
    }

    /// <summary>Routes the account's incoming requests to <paramref name="handler"/> (by its user name).</summary>
    public bool AttachRequestHandler(ISipRequestHandler handler)
    {
        _handler = handler;
        return _stack.Directory.TryAdd(Options.User, handler);
    }

    /// <summary>Closes the flow; <see cref="ConnectionLost"/> is not raised for it.</summary>
    public async Task DisconnectAsync()
    {
        _disconnecting = true;
        EndCalls();
        var channel = _channel;
        _channel = null;
        if (channel is not null)
        {
            channel.Closed -= OnChannelClosed;
            if (channel.Kind == SipTransportKind.Udp)
            {
                _stack.ServerMonitor.Remove(channel.RemoteEndPoint, this);
            }
            if (channel is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>The stack's server check found the UDP server silent: the flow is lost, as a closed connection would be.</summary>
    internal void OnUdpServerLost(Exception error)
    {
        if (!_disconnecting)
        {
            EndCalls();
            ConnectionLost?.Invoke(this, error);
        }
    }

    private void OnChannelClosed(SipChannel channel, Exception? error)
    {
        if (!_disconnecting)
        {
            EndCalls();
            ConnectionLost?.Invoke(this, error);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_handler is not null)
        {
            _stack.Directory.Remove(Options.User, _handler);
        }
        await DisconnectAsync().ConfigureAwait(false);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Options.User}@{Options.Domain} via {Options.Target}");
}
