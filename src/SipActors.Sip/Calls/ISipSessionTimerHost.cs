using SipActors.Sip.Timers;

namespace SipActors.Sip.Calls;

/// <summary>What a <see cref="SipSessionTimer"/> that drives its deadlines needs of its call. Every member is used under <see cref="Gate"/>.</summary>
internal interface ISipSessionTimerHost
{
    /// <summary>The call's lock; the timer's callbacks take it.</summary>
    object Gate { get; }

    /// <summary>The stack's wheel, where the refresh and expiry deadlines go.</summary>
    SipTimerWheel Wheel { get; }

    /// <summary>How soon to try again when a refresh cannot go now (T2).</summary>
    TimeSpan RefreshRetryDelay { get; }

    /// <summary>Whether the call owns its Call-ID (it placed the call): the glare wait depends on it (RFC 3261 §14.1).</summary>
    bool OwnsCallId { get; }

    /// <summary>Whether the call is confirmed: only then do deadlines run.</summary>
    bool IsConfirmed { get; }

    /// <summary>Whether a re-INVITE of ours is in flight: it carries Session-Expires, so its 2xx is the refresh.</summary>
    bool RefreshInFlight { get; }

    /// <summary>Sends the refresh (a re-INVITE with our current SDP); false when none can go now.</summary>
    bool SendRefresh();

    /// <summary>No refresh came within the interval: the call sends BYE and ends.</summary>
    void OnSessionExpired();
}
