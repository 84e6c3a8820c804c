namespace SipActors.Sip.Auth;

/// <summary>
/// Appends the parts of an Authorization value into a caller-provided span, so the finished
/// value is the only allocation. The caller sizes the span from an upper bound of the parts.
/// </summary>
internal ref struct DigestHeaderWriter
{
    private readonly Span<char> _buffer;
    private int _length;

    public DigestHeaderWriter(Span<char> buffer)
    {
        _buffer = buffer;
        _length = 0;
    }

    /// <summary>Upper bound of the quoted form of <paramref name="length"/> characters: each may be escaped, plus the quotes.</summary>
    public static int QuotedBound(int length) => 2 * length + 2;

    public readonly ReadOnlySpan<char> Written => _buffer[.._length];

    public void Append(ReadOnlySpan<char> text)
    {
        text.CopyTo(_buffer[_length..]);
        _length += text.Length;
    }

    /// <summary>Appends a quoted-string, escaping '"' and '\' with a backslash (RFC 7616 §3.4, RFC 3261 §25.1).</summary>
    public void AppendQuoted(ReadOnlySpan<char> text)
    {
        _buffer[_length++] = '"';
        while (true)
        {
            var special = text.IndexOfAny('"', '\\');
            if (special < 0)
            {
                Append(text);
                break;
            }
            Append(text[..special]);
            _buffer[_length++] = '\\';
            _buffer[_length++] = text[special];
            text = text[(special + 1)..];
        }
        _buffer[_length++] = '"';
    }
}
