using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace SipActors.Sip.Transports;

/// <summary>
/// The HTTP/1.1 opening handshake of RFC 6455 §4 in the small: the key and its accept value, a
/// header of a handshake's head, and the client's side (request out, 101 checked). Done on the
/// connection's own stream, so nothing of HTTP stays behind once the WebSocket runs (an HTTP
/// client's connection object keeps two 4 KiB buffers for the life of an upgraded connection).
/// </summary>
internal static class WebSocketHandshake
{
    /// <summary>RFC 6455 §1.3: appended to the key before hashing.</summary>
    private const string Rfc6455Guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>A handshake's head is a few hundred bytes; a longer one is not a SIP server's.</summary>
    public const int MaxHeadBytes = 8192;

    /// <summary>The Sec-WebSocket-Accept value for <paramref name="key"/> (§4.2.2 item 5.4).</summary>
    public static string AcceptFor(string key) => Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + Rfc6455Guid)));

    /// <summary>A fresh Sec-WebSocket-Key: base64 of 16 random bytes (§4.1 item 7).</summary>
    public static string NewKey()
    {
        Span<byte> nonce = stackalloc byte[16];
        RandomNumberGenerator.Fill(nonce);
        return Convert.ToBase64String(nonce);
    }

    /// <summary>The value of header <paramref name="name"/> in a handshake's head; null when absent.</summary>
    public static string? Header(string head, string name)
    {
        foreach (var line in head.Split("\r\n"))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line.AsSpan(0, colon).Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return line[(colon + 1)..].Trim();
            }
        }
        return null;
    }

    /// <summary>
    /// The client's opening handshake on <paramref name="stream"/>: sends the upgrade request for
    /// <paramref name="uri"/> with subprotocol <c>sip</c> (RFC 7118 §4), reads the answer and
    /// checks it is a 101 with the right accept value and subprotocol. Returns the stream the
    /// WebSocket must read: <paramref name="stream"/> itself, or, when frames came in the same read
    /// as the head, those bytes first and then the stream.
    /// </summary>
    /// <exception cref="SipTransportException">The server refused the upgrade or answered something else; the message says what.</exception>
    public static async Task<Stream> ClientAsync(Stream stream, Uri uri, CancellationToken cancellationToken)
    {
        var key = NewKey();
        var request = $"GET {uri.PathAndQuery} HTTP/1.1\r\nHost: {uri.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: sip\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);

        var buffer = ArrayPool<byte>.Shared.Rent(1024);
        try
        {
            var length = 0;
            int end;
            while ((end = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8)) < 0)
            {
                if (length == buffer.Length)
                {
                    if (length >= MaxHeadBytes)
                    {
                        throw new SipTransportException($"the server answered the WebSocket upgrade with a head of more than {MaxHeadBytes} bytes");
                    }
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(length * 2, MaxHeadBytes));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var n = await stream.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, MaxHeadBytes) - length), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new SipTransportException("the server closed the connection during the WebSocket upgrade");
                }
                length += n;
            }
            var head = Encoding.ASCII.GetString(buffer, 0, end);
            Check(head, key);
            var rest = length - (end + 4);
            return rest == 0 ? stream : new PrefixedStream(buffer.AsSpan(end + 4, rest).ToArray(), stream);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void Check(string head, string key)
    {
        var statusLine = head.AsSpan(0, head.IndexOf('\r') is var cr and >= 0 ? cr : head.Length);
        // "HTTP/1.1 101 Switching Protocols": the code is the second word.
        var parts = statusLine.ToString().Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/", StringComparison.Ordinal))
        {
            throw new SipTransportException("the server did not answer the WebSocket upgrade with HTTP");
        }
        if (parts[1] != "101")
        {
            throw new SipTransportException($"the server refused the WebSocket upgrade: {Printable(statusLine.ToString())}");
        }
        if (Header(head, "Sec-WebSocket-Accept") != AcceptFor(key))
        {
            throw new SipTransportException("the server answered the WebSocket upgrade without the Sec-WebSocket-Accept of our key (RFC 6455 §4.1)");
        }
        var protocol = Header(head, "Sec-WebSocket-Protocol");
        if (!string.Equals(protocol, "sip", StringComparison.OrdinalIgnoreCase))
        {
            throw new SipTransportException("the server did not accept the WebSocket subprotocol 'sip' (RFC 7118 §4)");
        }
    }

    /// <summary>A status line as a message may show it: printable ASCII, at most 100 characters.</summary>
    private static string Printable(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, 100));
        foreach (var c in text.AsSpan(0, Math.Min(text.Length, 100)))
        {
            builder.Append(c is >= ' ' and <= '~' ? c : '?');
        }
        return builder.ToString();
    }
}
