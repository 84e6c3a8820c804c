using SipActors.Sip.Headers;
using SipActors.Sip.Timers;

namespace SipActors.Sip.Calls;

/// <summary>
/// What RFC 4028 makes a call remember: the interval its requests ask for, the largest Min-SE it
/// has met, and the negotiated interval and refresher; and, given a host, the deadlines that follow
/// from them on the stack's wheel: the refresh we owe (§10) and the expiry we watch. Not
/// thread-safe; the owning call's lock covers it, and its timer callbacks take that lock.
/// </summary>
internal sealed class SipSessionTimer
{
    private static readonly Action<object?> RefreshCallback = static s => ((SipSessionTimer)s!).OnRefreshDue();
    private static readonly Action<object?> ExpiryCallback = static s => ((SipSessionTimer)s!).OnExpiryDue();

    private readonly int _preferred;
    private readonly ISipSessionTimerHost? _host;
    private SipTimer? _refreshTimer;
    private SipTimer? _expiryTimer;
    private bool _retriedAfter422;

    /// <summary>Negotiation only: nothing is scheduled (<see cref="Restart"/> and the other deadline methods need a host).</summary>
    public SipSessionTimer(SipCallOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        LocalMinimum = Seconds(options.MinSessionExpires);
        MinSE = LocalMinimum;
        _preferred = Math.Max(Seconds(options.SessionExpires), LocalMinimum);
        Requested = _preferred;
    }

    /// <summary>Negotiation, and the deadlines of <paramref name="host"/>'s call.</summary>
    public SipSessionTimer(SipCallOptions options, ISipSessionTimerHost host)
        : this(options)
    {
        _host = host ?? throw new ArgumentNullException(nameof(host));
    }

    /// <summary>Our floor, in seconds: a peer's offer below it is answered 422 (§9).</summary>
    public int LocalMinimum { get; }

    /// <summary>The Min-SE of our requests: our floor, raised by every 422 and every Min-SE of the peer's requests (§7.4).</summary>
    public int MinSE { get; private set; }

    /// <summary>The Session-Expires our next request asks for while no interval runs.</summary>
    public int Requested { get; private set; }

    /// <summary>The negotiated session interval in seconds; 0 while none runs.</summary>
    public int Interval { get; private set; }

    /// <summary>True when we send the refreshes, false when the peer does (or none runs).</summary>
    public bool LocalRefresher { get; private set; }

    /// <summary>The refresher sends its refresh at half the interval (§10).</summary>
    public TimeSpan RefreshDelay => TimeSpan.FromSeconds(Interval / 2.0);

    /// <summary>
    /// When the session is given up without a refresh: the non-refresher's BYE goes min(32 s, a
    /// third of the interval) before the peer would consider the session over (§10); the refresher
    /// waits the whole interval, since its own refresh may still be answered until then.
    /// </summary>
    public TimeSpan ExpiryDelay => LocalRefresher
        ? TimeSpan.FromSeconds(Interval)
        : TimeSpan.FromSeconds(Interval - Math.Min(32, Interval / 3.0));

    // ---- as UAC ----------------------------------------------------------------------------

    /// <summary>
    /// §7.1, §7.4: each INVITE we send lists <c>timer</c> in Supported and carries Session-Expires
    /// and Min-SE. A refresh repeats the running interval and names the current refresher, so the
    /// roles stay as they are; before any interval runs the refresher is left to the answerer.
    /// </summary>
    public void AddTo(SipRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var se = Interval > 0
            ? new SipSessionExpires(Math.Max(Interval, MinSE), LocalRefresher ? SipSessionRefresher.Uac : SipSessionRefresher.Uas)
            : new SipSessionExpires(Requested);
        request.Headers.Add(SipHeaderId.Supported, SipOptionTags.Timer);
        request.Headers.Add(SipHeaderId.SessionExpires, se.ToString());
        request.Headers.Add(SipHeaderId.MinSE, new SipMinSE(MinSE).ToString());
    }

    /// <summary>
    /// §7.3: a 422 names the peer's floor in Min-SE. True when asking again at that floor can
    /// succeed (it is above what we asked for); the next <see cref="AddTo"/> then asks for it.
    /// </summary>
    public bool RaiseFrom422(SipResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var asked = Interval > 0 ? Math.Max(Interval, MinSE) : Requested;
        if (!SipMinSE.TryRead(response, out var floor) || floor.Seconds <= asked)
        {
            return false;
        }
        MinSE = Math.Max(MinSE, floor.Seconds);
        Requested = Math.Max(Requested, floor.Seconds);
        return true;
    }

    /// <summary>
    /// §7.2: the 2xx to our INVITE or re-INVITE decides. Without Session-Expires the answerer runs
    /// no timer, and neither do we; a missing refresher leaves the refreshes to us, the side that asked.
    /// </summary>
    public void OnAnswer(SipResponse ok)
    {
        ArgumentNullException.ThrowIfNull(ok);
        if (SipSessionExpires.TryRead(ok, out var se))
        {
            Interval = se.Seconds;
            LocalRefresher = se.Refresher != SipSessionRefresher.Uas;
        }
        else
        {
            Interval = 0;
            LocalRefresher = false;
        }
    }

    // ---- as UAS ----------------------------------------------------------------------------

    /// <summary>
    /// §9: how to answer the peer's INVITE, re-INVITE or UPDATE. Pure, so an INVITE may be judged
    /// when it arrives (422 at once) and again when it is answered.
    /// </summary>
    public Decision Evaluate(SipRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uacSupports = SipOptionTags.Contains(request, SipHeaderId.Supported, SipOptionTags.Timer)
            || SipOptionTags.Contains(request, SipHeaderId.Require, SipOptionTags.Timer);
        if (SipSessionExpires.TryRead(request, out var offered))
        {
            var seconds = offered.Seconds;
            if (seconds < LocalMinimum)
            {
                if (uacSupports)
                {
                    return new Decision(TooSmall: true, null, RequireTimer: false);
                }
                // RFC 4028 errata 1687: a UAC that cannot read a 422 would only see its call fail; raise the interval instead.
                seconds = LocalMinimum;
            }
            // Only a UAC that supports timers can refresh; one that does not never learns it was asked to.
            var refresher = uacSupports ? offered.Refresher ?? SipSessionRefresher.Uac : SipSessionRefresher.Uas;
            return new Decision(TooSmall: false, new SipSessionExpires(seconds, refresher), uacSupports);
        }
        if (uacSupports)
        {
            // It supports timers but asks for none: we may ask, not below its Min-SE.
            var floor = SipMinSE.TryRead(request, out var min) ? min.Seconds : 0;
            var seconds = Math.Max(Interval > 0 ? Interval : _preferred, floor);
            return new Decision(TooSmall: false, new SipSessionExpires(seconds, SipSessionRefresher.Uac), RequireTimer: true);
        }
        if (Interval > 0)
        {
            // A peer without timers that re-INVITEs our running session: we keep refreshing it ourselves.
            return new Decision(TooSmall: false, new SipSessionExpires(Interval, SipSessionRefresher.Uas), RequireTimer: false);
        }
        return default;
    }

    /// <summary>Puts <paramref name="decision"/> into our 2xx to <paramref name="request"/> and makes it the running interval.</summary>
    public void Apply(Decision decision, SipRequest request, SipResponse ok)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(ok);
        if (SipMinSE.TryRead(request, out var min))
        {
            MinSE = Math.Max(MinSE, min.Seconds); // §7.4: our later requests carry the largest Min-SE of the dialog
        }
        ok.Headers.Add(SipHeaderId.Supported, SipOptionTags.Timer);
        if (decision.Answer is not { } se)
        {
            Interval = 0;
            LocalRefresher = false;
            return;
        }
        ok.Headers.Add(SipHeaderId.SessionExpires, se.ToString());
        if (decision.RequireTimer)
        {
            ok.Headers.Add(SipHeaderId.Require, SipOptionTags.Timer);
        }
        Interval = se.Seconds;
        LocalRefresher = se.Refresher == SipSessionRefresher.Uas;
    }

    /// <summary>The 422 to an offer below our floor: Min-SE names it (§6).</summary>
    public void AddFloorTo(SipResponse tooSmall)
    {
        ArgumentNullException.ThrowIfNull(tooSmall);
        tooSmall.Headers.Add(SipHeaderId.MinSE, new SipMinSE(LocalMinimum).ToString());
    }

    // ---- deadlines (§10) ---------------------------------------------------------------------

    /// <summary>
    /// §7.3 and §7.4, asked at most once per request: true when the 422 names a floor above what we
    /// asked, so the request goes again at that floor. <see cref="AllowRetryAfter422"/> re-arms it.
    /// </summary>
    public bool TryRaiseOnceFrom422(SipResponse response)
    {
        if (_retriedAfter422 || !RaiseFrom422(response))
        {
            return false;
        }
        _retriedAfter422 = true;
        return true;
    }

    /// <summary>A new re-INVITE (a command or a refresh), not the one retry after a 422.</summary>
    public void AllowRetryAfter422() => _retriedAfter422 = false;

    /// <summary>Every 2xx to an INVITE, re-INVITE or UPDATE, sent or received, starts the interval anew (§10).</summary>
    public void Restart()
    {
        var host = Host;
        Stop();
        _refreshTimer = null;
        _expiryTimer = null;
        if (!host.IsConfirmed || Interval <= 0)
        {
            return;
        }
        if (LocalRefresher)
        {
            _refreshTimer = Schedule(RefreshDelay, RefreshCallback);
        }
        _expiryTimer = Schedule(ExpiryDelay, ExpiryCallback);
    }

    /// <summary>
    /// Our refresh failed and the session goes on: a refresher tries again within the interval, after
    /// a quarter of it, or sooner after a glare (§14.1: the Call-ID's owner waits 2.1-4 s, the other side up to 2 s).
    /// </summary>
    public void RetryRefresh(int status)
    {
        var host = Host;
        if (!host.IsConfirmed || Interval <= 0 || !LocalRefresher)
        {
            return;
        }
        var delay = RefreshDelay / 2;
        if (status == 491)
        {
            var glare = TimeSpan.FromMilliseconds(host.OwnsCallId ? Random.Shared.Next(2100, 4001) : Random.Shared.Next(0, 2001));
            delay = glare < delay ? glare : delay;
        }
        _refreshTimer?.Cancel();
        _refreshTimer = Schedule(delay, RefreshCallback);
    }

    /// <summary>The call ended: no deadline any more.</summary>
    public void Stop()
    {
        _refreshTimer?.Cancel();
        _expiryTimer?.Cancel();
    }

    private ISipSessionTimerHost Host => _host ?? throw new InvalidOperationException("This session timer negotiates only; it has no call to drive.");

    private SipTimer Schedule(TimeSpan delay, Action<object?> callback) => Host.Wheel.Schedule(delay, callback, this);

    private void OnRefreshDue()
    {
        var host = Host;
        lock (host.Gate)
        {
            // A deadline that fired while a newer one replaced it is stale: the newer one is still pending, or none is wanted.
            if (_refreshTimer is not { IsPending: false } || !host.IsConfirmed || Interval <= 0 || !LocalRefresher)
            {
                return;
            }
            if (host.RefreshInFlight)
            {
                return; // it carries Session-Expires: its 2xx is the refresh
            }
            _retriedAfter422 = false;
            if (!host.SendRefresh())
            {
                // The peer's INVITE still waits for our 2xx's ACK (no new INVITE meanwhile, §14.1), or the flow refused: soon again.
                _refreshTimer = Schedule(host.RefreshRetryDelay, RefreshCallback);
            }
        }
    }

    private void OnExpiryDue()
    {
        var host = Host;
        lock (host.Gate)
        {
            if (_expiryTimer is not { IsPending: false } || !host.IsConfirmed)
            {
                return;
            }
            host.OnSessionExpired();
        }
    }

    private static int Seconds(TimeSpan value) => (int)Math.Min(int.MaxValue, Math.Ceiling(value.TotalSeconds));

    /// <summary>
    /// The answer to a peer's request: 422 when <see cref="TooSmall"/>; else a 2xx carrying
    /// <see cref="Answer"/> (null: no timer runs) and, when the UAC supports timers, <c>Require: timer</c>.
    /// </summary>
    internal readonly record struct Decision(bool TooSmall, SipSessionExpires? Answer, bool RequireTimer);
}
