using System.Globalization;
using SipActors.Sip.Auth;
using SipActors.Sip.Headers;
using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;
using SipActors.Sip.Uris;

namespace SipActors.Sip.Messaging;

/// <summary>
/// Requests outside any dialog (MESSAGE, RFC 3428; OPTIONS, RFC 3261 §11) from one account over
/// its flow: the server it registered with routes them on, as an outbound proxy would. A digest
/// challenge (401 from a UAS, 407 from a proxy) is answered with the account's credentials by the
/// rule of <see cref="DigestRetry"/>, as for REGISTER. Each request is its own transaction with a fresh Call-ID; this type keeps no
/// per-request state, so it is safe for concurrent use.
/// </summary>
public sealed class OutOfDialogClient
{
    private readonly SipTransactionLayer _transactions;
    private readonly SipChannel _channel;
    private readonly string _from;
    private readonly string _sentBy;
    private readonly string? _userAgent;
    private readonly DigestCredentials? _credentials;
    private readonly Func<SipChannel, Task<SipChannel>>? _reopen;
    private DigestAuthenticator? _authenticator; // made on the first challenge: most accounts never send a request

    /// <param name="transactions">The stack's transaction layer.</param>
    /// <param name="channel">The account's flow to its server.</param>
    /// <param name="from">The From name-addr (the account's AOR, with its display name), without a tag.</param>
    /// <param name="sentBy">The Via sent-by of the flow (the registration's).</param>
    /// <param name="userAgent">The User-Agent header value, if any.</param>
    /// <param name="credentials">Answers digest challenges; none: a challenge is the outcome.</param>
    /// <param name="reopen">
    /// Gives a new connection to the same target when the flow (TCP/TLS/WS) turns out closed; the
    /// request is then sent once more on it (same Call-ID, next CSeq, new branch). None: a closed
    /// flow is the outcome.
    /// </param>
    public OutOfDialogClient(SipTransactionLayer transactions, SipChannel channel, string from, string sentBy, string? userAgent, DigestCredentials? credentials,
        Func<SipChannel, Task<SipChannel>>? reopen = null)
    {
        _reopen = reopen;
        _transactions = transactions ?? throw new ArgumentNullException(nameof(transactions));
        _channel = channel ?? throw new ArgumentNullException(nameof(channel));
        _from = from;
        _sentBy = sentBy;
        _userAgent = userAgent;
        _credentials = credentials;
    }

    /// <summary>A MESSAGE to <paramref name="target"/> (a sip:/sips: URI) carrying <paramref name="body"/>.</summary>
    public Task<SipRequestOutcome> SendMessageAsync(string target, ReadOnlyMemory<byte> body, string contentType, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(contentType);
        return SendAsync(SipMethod.Message, target, body, contentType, cancellationToken);
    }

    /// <summary>An OPTIONS to <paramref name="target"/>: any final response says the target (or its proxy) is there.</summary>
    public Task<SipRequestOutcome> SendOptionsAsync(string target, CancellationToken cancellationToken = default)
        => SendAsync(SipMethod.Options, target, ReadOnlyMemory<byte>.Empty, null, cancellationToken);

    /// <summary>Whether <paramref name="target"/> is a URI this client can address (sip: or sips:).</summary>
    public static bool IsValidTarget(string? target, out string? error)
    {
        if (string.IsNullOrWhiteSpace(target) || !SipUri.TryParse(target, out _))
        {
            error = $"target '{target}' is not a sip: or sips: URI";
            return false;
        }
        error = null;
        return true;
    }

    private async Task<SipRequestOutcome> SendAsync(SipMethod method, string target, ReadOnlyMemory<byte> body, string? contentType, CancellationToken cancellationToken)
    {
        if (!IsValidTarget(target, out var error))
        {
            throw new ArgumentException(error, nameof(target));
        }
        var callId = SipIdentifiers.NewCallId();
        var fromTag = SipIdentifiers.NewTag();
        var digest = new DigestRetry(); // this request's own: concurrent requests share only the authenticator
        var channel = _channel;
        var reopened = false;
        for (uint cseq = 1; ; cseq++)
        {
            var request = Build(method, target, callId, fromTag, cseq, body, contentType);
            if (digest.Challenge is not null)
            {
                digest.Authorize(request, _credentials, LazyInitializer.EnsureInitialized(ref _authenticator));
            }
            SipResponse response;
            try
            {
                response = await _transactions.SendRequestAsync(request, channel).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SipTransactionTimeoutException e)
            {
                return new SipRequestOutcome { Success = false, Error = "no answer: " + e.Message };
            }
            catch (SipTransportException e) when (_reopen is not null && !reopened && channel.IsReliable && channel.IsClosed)
            {
                // The server closed the flow: once more on a new connection, failing fast if that fails too.
                try
                {
                    channel = await _reopen(channel).WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (SipTransportException again)
                {
                    return new SipRequestOutcome { Success = false, Error = $"transport error: {e.Message}; a new connection failed too: {again.Message}" };
                }
                reopened = true;
                continue;
            }
            catch (SipTransportException e)
            {
                return new SipRequestOutcome { Success = false, Error = "transport error: " + e.Message };
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return new SipRequestOutcome { Success = false, Error = "no answer in time" };
            }

            if (digest.Decide(response, _credentials) == DigestRetryDecision.Retry)
            {
                continue;
            }
            var status = response.StatusCode;
            var success = status is >= 200 and < 300;
            return new SipRequestOutcome
            {
                Success = success,
                StatusCode = status,
                ReasonPhrase = response.ReasonPhrase,
                Error = success ? null : string.Create(CultureInfo.InvariantCulture, $"{status} {response.ReasonPhrase}").Trim(),
                Response = response,
            };
        }
    }

    private SipRequest Build(SipMethod method, string target, string callId, string fromTag, uint cseq, ReadOnlyMemory<byte> body, string? contentType)
    {
        var request = new SipRequest(method, target);
        var h = request.Headers;
        h.Add(SipHeaderId.Via, SipVia.NewTop(_channel.Kind, _sentBy)); // a reopened flow is of the same kind
        h.Add(SipHeaderId.MaxForwards, "70");
        h.Add(SipHeaderId.From, string.Concat(_from, ";tag=", fromTag));
        h.Add(SipHeaderId.To, "<" + target + ">");
        h.Add(SipHeaderId.CallId, callId);
        h.Add(SipHeaderId.CSeq, string.Create(CultureInfo.InvariantCulture, $"{cseq} {method.ToName()}"));
        if (_userAgent is not null)
        {
            h.Add(SipHeaderId.UserAgent, _userAgent);
        }
        if (contentType is not null)
        {
            h.Add(SipHeaderId.ContentType, contentType);
            request.Body = body;
        }
        return request;
    }
}
