namespace SipActors.Connections;

/// <summary>
/// The permits a host hands out before each transport attempt or registration retry: a token
/// bucket refilled at the rate limit (CONTRACT.md §5.8) and a bound on the attempts in flight,
/// waiting requests served in order. No clock of its own: the host passes the time in, so the
/// rule is testable without timers.
/// </summary>
public sealed class ConnectPermits<TRequester>
{
    private readonly Queue<(TRequester Requester, AccountId Account, int Generation)> _waiting = new();
    private readonly HashSet<AccountId> _inFlight = [];
    private double _tokens;
    private TimeSpan _refilledAt;

    public ConnectPermits(double ratePerSecond, int maxInFlight, TimeSpan now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ratePerSecond, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        Rate = ratePerSecond;
        MaxInFlight = maxInFlight;
        _tokens = Burst;
        _refilledAt = now;
    }

    public double Rate { get; }

    public int MaxInFlight { get; }

    /// <summary>
    /// 50 ms worth of permits, and never less than 2: with a burst of one token, a tick that fires
    /// late loses its refill, and a low rate (50/s) fell to about 30/s.
    /// </summary>
    public double Burst => Math.Max(2, Rate * 0.05);

    public int Waiting => _waiting.Count;

    public int InFlight => _inFlight.Count;

    public void Request(TRequester requester, AccountId account, int generation) => _waiting.Enqueue((requester, account, generation));

    /// <summary>The account's attempt ended (or it stopped): its slot is free. False when it held none.</summary>
    public bool Release(AccountId account) => _inFlight.Remove(account);

    /// <summary>Grants what the bucket and the bound allow at <paramref name="now"/>, in order of request.</summary>
    public void Serve(TimeSpan now, Action<TRequester, int> grant)
    {
        _tokens = Math.Min(Burst, _tokens + Rate * (now - _refilledAt).TotalSeconds);
        _refilledAt = now;
        while (_waiting.Count > 0 && _tokens >= 1 && _inFlight.Count < MaxInFlight)
        {
            var (requester, account, generation) = _waiting.Dequeue();
            _tokens -= 1;
            _inFlight.Add(account);
            grant(requester, generation);
        }
    }
}
