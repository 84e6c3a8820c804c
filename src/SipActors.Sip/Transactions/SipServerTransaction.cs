using SipActors.Sip.Timers;
using SipActors.Sip.Transports;

namespace SipActors.Sip.Transactions;

/// <summary>
/// RFC 3261 §17.2.2 non-INVITE server transaction, handed to whoever handles the request. It
/// answers retransmissions of the request with the last response it sent, and leaves the table
/// after Timer J (64*T1 on UDP, at once on reliable transports).
/// </summary>
public sealed class SipServerTransaction
{
    private readonly SipTransactionLayer _layer;
    private ReadOnlyMemory<byte> _lastResponse;
    private bool _completed;

    internal SipServerTransaction(SipTransactionLayer layer, string key, SipRequest request, SipChannel channel)
    {
        _layer = layer;
        Key = key;
        Request = request;
        Channel = channel;
    }

    internal string Key { get; }

    public SipRequest Request { get; }

    /// <summary>Where the request came from; responses go back on it.</summary>
    public SipChannel Channel { get; }

    /// <summary>True once a final response was sent.</summary>
    public bool IsCompleted => Volatile.Read(ref _completed);

    /// <summary>A response to this request with its Via, From, To (plus <paramref name="toTag"/> when To has none), Call-ID and CSeq.</summary>
    public SipResponse CreateResponse(int statusCode, string? reasonPhrase = null, string? toTag = null)
        => SipResponses.Create(Request, statusCode, reasonPhrase, toTag);

    /// <summary>Sends a response; after a final one the transaction completes and later calls are ignored.</summary>
    public ValueTask RespondAsync(SipResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var bytes = response.ToArray();
        lock (this)
        {
            if (_completed)
            {
                return ValueTask.CompletedTask;
            }
            _lastResponse = bytes;
            if (response.StatusCode >= 200)
            {
                _completed = true;
                if (Channel.IsReliable)
                {
                    _layer.Remove(this);
                }
                else
                {
                    _layer.Wheel.Schedule(_layer.Timers.TransactionTimeout, static s => ((SipServerTransaction)s!).Terminate(), this);
                }
            }
        }
        return Channel.SendAsync(bytes);
    }

    /// <summary>A handler that never answers must not keep the transaction forever: it leaves after 64*T1.</summary>
    internal void ArmAbandonTimer()
        => _layer.Wheel.Schedule(_layer.Timers.TransactionTimeout, static s =>
        {
            var t = (SipServerTransaction)s!;
            if (!t.IsCompleted)
            {
                t.Terminate();
            }
        }, this);

    /// <summary>The request came again: the response it missed is sent again (nothing yet: it waits).</summary>
    internal void OnRetransmission()
    {
        ReadOnlyMemory<byte> last;
        lock (this)
        {
            last = _lastResponse;
        }
        if (!last.IsEmpty)
        {
            _ = ResendAsync(last);
        }
    }

    private async Task ResendAsync(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            await Channel.SendAsync(bytes).ConfigureAwait(false);
        }
        catch (SipTransportException)
        {
            // The peer will retransmit again or give up; nothing to report to anyone.
        }
    }

    private void Terminate() => _layer.Remove(this);
}
