namespace SipActors.Sip.Transactions;

/// <summary>The RFC 3261 §17 base timers; every transaction timer is derived from them (Table 4).</summary>
public sealed record SipTimerSettings
{
    public static SipTimerSettings Default { get; } = new();

    /// <summary>RTT estimate, 500 ms: first retransmission interval (Timers A and E).</summary>
    public TimeSpan T1 { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Maximum retransmission interval for non-INVITE requests and INVITE responses, 4 s.</summary>
    public TimeSpan T2 { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>Maximum time a message stays in the network, 5 s (Timers I and K).</summary>
    public TimeSpan T4 { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long an INVITE may stay in Proceeding (ringing) before the client transaction gives up,
    /// 3 minutes: RFC 3261 §17.1.1.2 stops Timer B at the first provisional, and §16.6 puts a
    /// proxy's Timer C above 3 minutes, so a UA that waits this long has outlived any proxy.
    /// </summary>
    public TimeSpan TimerC { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Timers B, F, H, J: 64*T1, 32 s by default.</summary>
    public TimeSpan TransactionTimeout => T1 * 64;
}
