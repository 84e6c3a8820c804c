namespace SipActors.Sip.Transactions;

/// <summary>A client transaction got no final response before Timer F (or B) fired: RFC 3261's 408 Request Timeout.</summary>
public sealed class SipTransactionTimeoutException(string method, TimeSpan after)
    : TimeoutException($"no final response to {method} within {after.TotalSeconds:0.#} s (Timer F)")
{
    public string Method { get; } = method;
}
