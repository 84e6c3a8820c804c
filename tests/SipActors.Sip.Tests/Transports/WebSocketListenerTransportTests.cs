using System.Net;
using SipActors.Sip.Transports;
using static SipActors.Sip.Tests.Registrar.RegistrarConnections;

namespace SipActors.Sip.Tests.Transports;

/// <summary>The server side of the RFC 6455 opening handshake: what is accepted and what gets 400.</summary>
public sealed class WebSocketListenerTransportTests : IAsyncLifetime
{
    private WebSocketListenerTransport _listener = null!;

    private sealed class NoSink : ISipMessageSink
    {
        public void OnMessage(SipMessage message, SipChannel channel)
        {
        }

        public void OnMalformed(SipParseException error, SipChannel channel)
        {
        }
    }

    public Task InitializeAsync()
    {
        _listener = new WebSocketListenerTransport(new IPEndPoint(IPAddress.Loopback, 0), new NoSink());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _listener.DisposeAsync();

    private async Task<(string Response, bool Closed)> UpgradeWith(string? key, string? version)
    {
        using var socket = await ConnectAsync(_listener.LocalEndPoint);
        var response = await UpgradeAsync(socket, key, version);
        return (response, await ClosedByPeerWithin(socket, Bound));
    }

    [Fact]
    public async Task Should_accept_the_RFC_6455_sample_key_with_its_accept_value()
    {
        using var socket = await ConnectAsync(_listener.LocalEndPoint);

        var response = await UpgradeAsync(socket, "dGhlIHNhbXBsZSBub25jZQ==", "13");

        Assert.StartsWith("HTTP/1.1 101 ", response, StringComparison.Ordinal);
        Assert.Contains("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n", response, StringComparison.Ordinal); // RFC 6455 §1.3
        Assert.Contains("\r\nSec-WebSocket-Protocol: sip\r\n", response, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not base64 at all!")]
    [InlineData("abcd")] // base64, but 3 bytes
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // base64, but 21 bytes
    [InlineData("")]
    public async Task Should_answer_400_to_a_key_that_is_not_16_bytes_of_base64(string key)
    {
        var (response, closed) = await UpgradeWith(key, "13");

        Assert.StartsWith("HTTP/1.1 400 ", response, StringComparison.Ordinal);
        Assert.True(closed);
    }

    [Theory]
    [InlineData("99")]
    [InlineData("8")]
    [InlineData(null)]
    public async Task Should_answer_400_with_the_version_it_speaks_to_another_version(string? version)
    {
        var (response, closed) = await UpgradeWith(null, version);

        Assert.StartsWith("HTTP/1.1 400 ", response, StringComparison.Ordinal);
        Assert.Contains("\r\nSec-WebSocket-Version: 13\r\n", response, StringComparison.Ordinal); // RFC 6455 §4.4
        Assert.True(closed);
    }
}
