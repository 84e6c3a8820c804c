using SipActors.Sip.Headers;
using SipActors.Sip.Tests.TestData;
using SipActors.Sip.Timers;
using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;

namespace SipActors.Sip.Tests.Auth;

/// <summary>
/// A server that answers the requests sent on a reliable <see cref="RecordingChannel"/> from a
/// script: each request (ACKs aside) takes the next step, a digest challenge or a final answer.
/// TCP, so nothing is retransmitted and every request takes exactly one step.
/// </summary>
internal sealed class ChallengingServer : IDisposable
{
    private readonly Queue<Step> _steps = new();
    private readonly List<SipRequest> _requests = [];

    public ChallengingServer()
    {
        Wheel = new SipTimerWheel(TimeSpan.FromMilliseconds(5));
        Transactions = new SipTransactionLayer(Wheel);
        Channel = new RecordingChannel(SipTransportKind.Tcp) { Answer = OnSent };
    }

    public SipTimerWheel Wheel { get; }

    public SipTransactionLayer Transactions { get; }

    public RecordingChannel Channel { get; }

    /// <summary>The requests answered so far, in order (no ACK).</summary>
    public IReadOnlyList<SipRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>The next request gets a 401 (WWW-Authenticate) or 407 (Proxy-Authenticate) with <paramref name="nonce"/>.</summary>
    public ChallengingServer Challenge(int status, string nonce, bool stale = false)
        => ChallengeWith(status, $"Digest realm=\"test\", nonce=\"{nonce}\", qop=\"auth\", algorithm=MD5{(stale ? ", stale=true" : "")}");

    /// <summary>The next request gets a 401 or 407 carrying <paramref name="header"/> as its challenge.</summary>
    public ChallengingServer ChallengeWith(int status, string header)
    {
        lock (_steps)
        {
            _steps.Enqueue(new Step(status, r => r.Headers.Add(status == 401 ? SipHeaderId.WwwAuthenticate : SipHeaderId.ProxyAuthenticate, header)));
        }
        return this;
    }

    /// <summary>The next request gets <paramref name="status"/>; a 2xx to an INVITE carries a To tag and a Contact.</summary>
    public ChallengingServer Answer(int status = 200)
    {
        lock (_steps)
        {
            _steps.Enqueue(new Step(status, null));
        }
        return this;
    }

    /// <summary>The nonce an Authorization or Proxy-Authorization of <paramref name="request"/> answers, or null.</summary>
    public static string? AnsweredNonce(SipRequest request)
    {
        var value = request.Headers.GetFirst(SipHeaderId.Authorization) ?? request.Headers.GetFirst(SipHeaderId.ProxyAuthorization);
        return value is not null && SipActors.Sip.Auth.DigestParameters.TryParse(value, out var p, out _) ? p.GetValueOrDefault("nonce") : null;
    }

    public void Dispose() => Wheel.Dispose();

    private void OnSent(SipMessage message)
    {
        if (message is not SipRequest request || request.Method == SipMethod.Ack)
        {
            return;
        }
        Step? step;
        lock (_steps)
        {
            _steps.TryDequeue(out step);
        }
        lock (_requests)
        {
            _requests.Add(request);
        }
        if (step is null)
        {
            return; // unscripted: left unanswered, so the test sees it was sent
        }
        var response = SipResponses.Create(request, step.Status, toTag: "srv");
        if (request.Method == SipMethod.Invite && step.Status is >= 200 and < 300)
        {
            response.Headers.Add(SipHeaderId.Contact, "<sip:bob@127.0.0.1:5070;transport=tcp>");
        }
        step.Decorate?.Invoke(response);
        var parsed = SipMessage.Parse(response.ToArray());
        // Off the sender's stack: the request's transaction and the call's lock are still being set up.
        _ = Task.Run(() => Transactions.OnMessage(parsed, Channel));
    }

    private sealed record Step(int Status, Action<SipResponse>? Decorate);
}
