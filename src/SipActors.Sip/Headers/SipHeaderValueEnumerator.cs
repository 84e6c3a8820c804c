using SipActors.Sip.Parsing;

namespace SipActors.Sip.Headers;

/// <summary>
/// Walks the values of one header across all its lines. For list headers (RFC 3261 §7.3.1) each
/// line is split at commas that are outside quoted strings and angle brackets; empty elements are
/// skipped. Values are trimmed spans into the message: nothing is allocated.
/// </summary>
public ref struct SipHeaderValueEnumerator
{
    private readonly SipHeaderCollection _headers;
    private readonly SipHeaderId _id;
    private readonly bool _split;
    private int _line;
    private ReadOnlySpan<byte> _rest;
    private ReadOnlySpan<byte> _current;

    internal SipHeaderValueEnumerator(SipHeaderCollection headers, SipHeaderId id)
    {
        _headers = headers;
        _id = id;
        _split = SipHeaderNames.IsList(id);
        _line = -1;
        _rest = default;
        _current = default;
    }

    public readonly ReadOnlySpan<byte> Current => _current;

    public readonly SipHeaderValueEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        while (true)
        {
            if (_rest.IsEmpty)
            {
                if (!NextLine())
                {
                    return false;
                }
                if (!_split)
                {
                    _current = _rest;
                    _rest = default;
                    return true;
                }
            }
            var end = IndexOfTopLevelComma(_rest);
            var element = end < 0 ? _rest : _rest[..end];
            _rest = end < 0 ? default : _rest[(end + 1)..];
            element = SipSyntax.TrimWhitespace(element);
            if (!element.IsEmpty)
            {
                _current = element;
                return true;
            }
        }
    }

    private bool NextLine()
    {
        for (_line++; _line < _headers.Count; _line++)
        {
            if (_headers.GetId(_line) == _id)
            {
                _rest = _headers.GetValueSpan(_line);
                if (!_rest.IsEmpty || !_split)
                {
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>Index of the first comma outside quotes and angle brackets, or -1.</summary>
    internal static int IndexOfTopLevelComma(ReadOnlySpan<byte> value)
    {
        var inQuotes = false;
        var inAngle = false;
        var i = 0;
        while (i < value.Length)
        {
            var found = value[i..].IndexOfAny(SipSyntax.ListStops);
            if (found < 0)
            {
                return -1;
            }
            i += found;
            switch (value[i])
            {
                case SipSyntax.Comma when !inQuotes && !inAngle:
                    return i;
                case SipSyntax.Quote when !inAngle:
                    inQuotes = !inQuotes;
                    break;
                case SipSyntax.Backslash when inQuotes:
                    i++; // the escaped character is data, even a quote
                    break;
                case SipSyntax.LAngle when !inQuotes:
                    inAngle = true;
                    break;
                case SipSyntax.RAngle when !inQuotes:
                    inAngle = false;
                    break;
            }
            i++;
        }
        return -1;
    }
}
