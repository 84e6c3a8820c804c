using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using SipActors.Sip.Diagnostics;
using SipActors.Sip.Headers;
using SipActors.Sip.Timers;
using SipActors.Sip.Transports;

namespace SipActors.Sip.Transactions;

/// <summary>
/// The transaction layer of one process (RFC 3261 §17): matches responses to client transactions
/// by top Via branch (§17.1.3) and requests to server transactions (§17.2.3), absorbs
/// retransmissions, and hands new requests to <see cref="RequestReceived"/>. Every transaction
/// leaves its table when it terminates; <see cref="Count"/> shows it.
/// </summary>
public sealed class SipTransactionLayer : ISipMessageSink
{
    // Many accounts start and end transactions on many threads at once: more lock stripes than the default (one per core).
    private readonly ConcurrentDictionary<string, ClientTransaction> _clients = new(concurrencyLevel: 64, capacity: 1024, StringComparer.Ordinal);
    // Transactions whose branch this process made, by its counter (ClientTransactionKey): no string per transaction.
    private readonly ConcurrentDictionary<(ulong Number, bool Cancel), ClientTransaction> _ownClients = new(concurrencyLevel: 64, capacity: 1024);
    private readonly ConcurrentDictionary<string, ClientTransaction>.AlternateLookup<ReadOnlySpan<char>> _clientsBySpan;
    private readonly ConcurrentDictionary<string, SipServerTransaction> _servers = new(concurrencyLevel: 64, capacity: 1024, StringComparer.Ordinal);
    private long _retransmissions;
    private long _malformed;
    private long _strayResponses;

    public SipTransactionLayer(SipTimerWheel wheel, SipTimerSettings? timers = null)
    {
        Wheel = wheel ?? throw new ArgumentNullException(nameof(wheel));
        Timers = timers ?? SipTimerSettings.Default;
        _clientsBySpan = _clients.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public SipTimerWheel Wheel { get; }

    public SipTimerSettings Timers { get; }

    /// <summary>Client and server transactions alive now.</summary>
    public int Count => _clients.Count + _ownClients.Count + _servers.Count;

    public long Retransmissions => Interlocked.Read(ref _retransmissions);
    public long MalformedMessages => Interlocked.Read(ref _malformed);
    public long StrayResponses => Interlocked.Read(ref _strayResponses);

    /// <summary>
    /// Hears how each client transaction ended (see <see cref="ISipTransactionTrace"/>); null, the
    /// default, costs one read per transaction.
    /// </summary>
    public ISipTransactionTrace? Trace { get; set; }

    /// <summary>
    /// Where the non-INVITE client transactions rent the bytes of their requests (kept for
    /// retransmission, given back when the transaction ends): the layer's own pool unless a test watches.
    /// </summary>
    /// <remarks>
    /// Not <see cref="ArrayPool{T}.Shared"/>: its buffers are kept per thread and per core, 32 a size
    /// for each core, while a registration rents on an actor's thread and gives back on the receive
    /// loop, with hundreds in flight. The shared pool then dropped what it could not keep and made new
    /// arrays: ~250 bytes of every registration. This one keeps up to 1,024 buffers a size (REGISTER,
    /// OPTIONS and MESSAGE requests up to 4 KB; longer ones are allocated and dropped).
    /// </remarks>
    internal ArrayPool<byte> RequestPool { get; init; } = ArrayPool<byte>.Create(maxArrayLength: 4096, maxArraysPerBucket: 1024);

    /// <summary>A new request (not a retransmission) arrived; the handler must answer it through the transaction. Called on a receive loop: hand over, do not block.</summary>
    public Action<SipServerTransaction>? RequestReceived { get; set; }

    /// <summary>
    /// A client transaction got no final response (Timer F or B), with the channel it used. Over
    /// UDP that is the one sign that a server went away; the stack's server check listens.
    /// </summary>
    public event Action<SipChannel>? ClientTransactionTimedOut;

    /// <summary>
    /// Sends a non-INVITE request in a new client transaction and completes with its final
    /// response. The request must carry a top Via with a unique <c>z9hG4bK</c> branch.
    /// Faults with <see cref="SipTransactionTimeoutException"/> or <see cref="SipTransportException"/>.
    /// </summary>
    public Task<SipResponse> SendRequestAsync(SipRequest request, SipChannel channel)
    {
        var task = new ClientTransactionTask();
        SendRequest(request, channel, task);
        return task.Task;
    }

    /// <summary>
    /// Sends a non-INVITE request in a new client transaction whose end <paramref name="observer"/>
    /// hears on the thread that ended it (see <see cref="IClientTransactionObserver"/>); it may hear
    /// it before this returns. Throws <see cref="ArgumentException"/> for a request without a branch.
    /// </summary>
    internal void SendRequest(SipRequest request, SipChannel channel, IClientTransactionObserver observer)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(channel);
        if (request.Method is SipMethod.Invite or SipMethod.Ack)
        {
            throw new ArgumentException($"{request.MethodName} needs an INVITE transaction.", nameof(request));
        }
        if (!request.Headers.TryGetValue(SipHeaderId.Via, out var rawVia) || !ViaValue.TryParse(rawVia, out var via) || via.Branch.IsEmpty)
        {
            throw new ArgumentException("The request needs a top Via with a branch.", nameof(request));
        }
        var key = ClientTransactionKey.From(via.Branch, request.Method == SipMethod.Cancel);
        // The bytes are the transaction's until it ends: a REGISTER's ~0.5-1 KB copy is not garbage per request.
        var rented = RequestPool.Rent(request.GetByteCount());
        var length = request.WriteTo(rented);
        var transaction = new NonInviteClientTransaction(this, key, request.MethodName, rented.AsMemory(0, length), channel, Timers, observer, rented);
        if (!TryAdd(key, transaction))
        {
            RequestPool.Return(rented);
            throw new ArgumentException($"A transaction with branch {Encoding.ASCII.GetString(via.Branch)} is already running.", nameof(request));
        }
        transaction.Start();
    }

    /// <summary>
    /// Sends an INVITE in a new client transaction (RFC 3261 §17.1.1, RFC 6026). Every response,
    /// provisional ones and 2xx retransmissions included, goes to <paramref name="onResponse"/>; the
    /// task completes with the first final one. A non-2xx is acknowledged here; a 2xx is the caller's to ACK.
    /// </summary>
    public Task<SipResponse> SendInviteAsync(SipRequest invite, SipChannel channel, Action<SipResponse>? onResponse = null)
    {
        ArgumentNullException.ThrowIfNull(invite);
        ArgumentNullException.ThrowIfNull(channel);
        if (invite.Method != SipMethod.Invite)
        {
            throw new ArgumentException("Only an INVITE starts an INVITE transaction.", nameof(invite));
        }
        if (!invite.Headers.TryGetValue(SipHeaderId.Via, out var rawVia) || !ViaValue.TryParse(rawVia, out var via) || via.Branch.IsEmpty)
        {
            throw new ArgumentException("The request needs a top Via with a branch.", nameof(invite));
        }
        var key = ClientTransactionKey.From(via.Branch, cancel: false);
        var task = new ClientTransactionTask();
        var transaction = new InviteClientTransaction(this, key, invite, invite.ToArray(), channel, Timers, onResponse, task);
        if (!TryAdd(key, transaction))
        {
            throw new ArgumentException($"A transaction with branch {Encoding.ASCII.GetString(via.Branch)} is already running.", nameof(invite));
        }
        transaction.Start();
        return task.Task;
    }

    public void OnMessage(SipMessage message, SipChannel channel)
    {
        if (message is SipResponse response)
        {
            OnResponse(response);
        }
        else
        {
            OnRequest((SipRequest)message, channel);
        }
    }

    public void OnMalformed(SipParseException error, SipChannel channel) => Interlocked.Increment(ref _malformed);

    private void OnResponse(SipResponse response)
    {
        if (!response.Headers.TryGetValue(SipHeaderId.Via, out var rawVia) || !ViaValue.TryParse(rawVia, out var via)
            || via.Branch.IsEmpty || via.Branch.Length > 128)
        {
            Interlocked.Increment(ref _malformed);
            return;
        }
        var isCancel = response.Headers.TryGetValue(SipHeaderId.CSeq, out var cseq) && cseq.EndsWith("CANCEL"u8);
        if (SipIdentifiers.TryReadOwnBranch(via.Branch, out var number))
        {
            if (_ownClients.TryGetValue((number, isCancel), out var own))
            {
                SipStackMetrics.CountResponse(own.MethodName, response.StatusCode);
                own.OnResponse(response);
            }
            else
            {
                Interlocked.Increment(ref _strayResponses);
            }
            return;
        }
        Span<char> key = stackalloc char[via.Branch.Length + 7];
        var length = Encoding.ASCII.GetChars(via.Branch, key);
        if (isCancel)
        {
            "|CANCEL".CopyTo(key[length..]);
            length += 7;
        }
        if (_clientsBySpan.TryGetValue(key[..length], out var transaction))
        {
            SipStackMetrics.CountResponse(transaction.MethodName, response.StatusCode);
            transaction.OnResponse(response);
        }
        else
        {
            Interlocked.Increment(ref _strayResponses);
        }
    }

    private void OnRequest(SipRequest request, SipChannel channel)
    {
        if (!request.Headers.TryGetValue(SipHeaderId.Via, out var rawVia) || !ViaValue.TryParse(rawVia, out var via))
        {
            Interlocked.Increment(ref _malformed);
            return;
        }
        // §17.2.3: branch, sent-by and method identify the transaction; an ACK to a non-2xx and a
        // CANCEL carry the INVITE's branch and match the INVITE's transaction.
        var method = request.Method is SipMethod.Ack ? "INVITE" : request.MethodName;
        var key = ServerKey(via.Branch, via.Host, via.Port, method);
        if (request.Method == SipMethod.Ack)
        {
            if (_servers.TryGetValue(key, out var invite))
            {
                invite.OnAck();
            }
            else
            {
                // An ACK to a 2xx is end-to-end: the dialog's, not a transaction's.
                RequestReceived?.Invoke(new SipServerTransaction(this, key, request, channel));
            }
            return;
        }
        if (_servers.TryGetValue(key, out var existing))
        {
            existing.OnRetransmission();
            return;
        }
        var transaction = new SipServerTransaction(this, key, request, channel);
        if (!_servers.TryAdd(key, transaction))
        {
            return; // the same request arrived twice at once; the first copy is handled
        }
        transaction.ArmAbandonTimer();
        if (request.Method == SipMethod.Cancel)
        {
            var found = _servers.TryGetValue(ServerKey(via.Branch, via.Host, via.Port, "INVITE"), out var cancelled) && cancelled.OnCancel();
            _ = transaction.RespondAsync(transaction.CreateResponse(found ? 200 : 481, toTag: found ? null : SipIdentifiers.NewTag()));
            return;
        }
        var handler = RequestReceived;
        if (handler is null)
        {
            _ = transaction.RespondAsync(transaction.CreateResponse(503, "No handler"));
            return;
        }
        handler(transaction);
    }

    private static string ServerKey(ReadOnlySpan<byte> branch, ReadOnlySpan<byte> host, int port, string method)
        => string.Concat(Encoding.ASCII.GetString(branch), "|", Encoding.ASCII.GetString(host), ":",
            port.ToString(System.Globalization.CultureInfo.InvariantCulture), "|", method);

    private bool TryAdd(ClientTransactionKey key, ClientTransaction transaction)
        => key.Text is null ? _ownClients.TryAdd((key.Number, key.Cancel), transaction) : _clients.TryAdd(key.ForeignText, transaction);

    internal void Remove(ClientTransaction transaction)
    {
        var key = transaction.Key;
        _ = key.Text is null
            ? _ownClients.TryRemove(new((key.Number, key.Cancel), transaction))
            : _clients.TryRemove(new(key.ForeignText, transaction));
    }

    internal void Remove(SipServerTransaction transaction) => _servers.TryRemove(new(transaction.Key, transaction));

    /// <summary>The transactions alive now by kind and method ("client OPTIONS: 1"), for diagnostics.</summary>
    internal string DescribeInFlight()
        => string.Join(", ", _clients.Values.Concat(_ownClients.Values).Select(t => "client " + t.MethodName)
            .Concat(_servers.Values.Select(t => "server " + t.Request.MethodName))
            .GroupBy(k => k, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}: {g.Count()}"));

    internal void OnClientTransactionTimedOut(SipChannel channel) => ClientTransactionTimedOut?.Invoke(channel);

    internal void CountRetransmission() => Interlocked.Increment(ref _retransmissions);
}
