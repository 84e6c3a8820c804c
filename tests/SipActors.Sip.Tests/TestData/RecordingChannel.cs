using System.Net;
using SipActors.Sip.Transports;

namespace SipActors.Sip.Tests.TestData;

/// <summary>A channel that keeps what is sent on it and can answer through a callback, for transaction tests without sockets.</summary>
internal sealed class RecordingChannel(SipTransportKind kind = SipTransportKind.Udp) : SipChannel
{
    public List<SipMessage> Sent { get; } = [];

    public Func<SipMessage, Exception?>? OnSend { get; set; }

    public Action<SipMessage>? Answer { get; set; }

    public override SipTransportKind Kind { get; } = kind;

    public override IPEndPoint LocalEndPoint { get; } = new(IPAddress.Loopback, 40000);

    public override IPEndPoint RemoteEndPoint { get; } = new(IPAddress.Loopback, 5060);

    public override ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        var parsed = SipMessage.Parse(message.Span);
        lock (Sent)
        {
            Sent.Add(parsed);
        }
        if (OnSend?.Invoke(parsed) is { } error)
        {
            return ValueTask.FromException(error);
        }
        Answer?.Invoke(parsed);
        return ValueTask.CompletedTask;
    }

    public void Lose(Exception? error) => OnClosed(error);
}
