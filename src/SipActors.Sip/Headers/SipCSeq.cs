using System.Globalization;

namespace SipActors.Sip.Headers;

/// <summary>CSeq (RFC 3261 §20.16): a sequence number below 2^31 and the method it numbers.</summary>
public readonly record struct SipCSeq(uint Number, SipMethod Method, string MethodName)
{
    public SipCSeq(uint number, SipMethod method) : this(number, method, method.ToName())
    {
    }

    /// <summary>Reads <c>1*DIGIT LWS Method</c>; known method names come back as cached strings.</summary>
    public static SipCSeq Parse(ReadOnlySpan<byte> value)
    {
        var trimmed = Parsing.SipSyntax.TrimWhitespace(value);
        var ws = trimmed.IndexOfAny(Parsing.SipSyntax.Whitespace);
        if (ws <= 0)
        {
            throw SipParseException.Create(SipParseError.InvalidHeaderValue, 0, "CSeq needs a number and a method", value);
        }
        var digits = trimmed[..ws];
        var method = Parsing.SipSyntax.TrimWhitespace(trimmed[ws..]);
        if (digits.ContainsAnyExceptInRange((byte)'0', (byte)'9') || digits.Length > 10)
        {
            throw SipParseException.Create(SipParseError.InvalidHeaderValue, 0, "CSeq number is not a decimal integer below 2^31", value);
        }
        ulong n = 0;
        foreach (var d in digits)
        {
            n = n * 10 + (uint)(d - '0');
        }
        if (n >= 1UL << 31)
        {
            throw SipParseException.Create(SipParseError.InvalidHeaderValue, 0, "CSeq number must be below 2^31 (RFC 3261 §8.1.1.5)", value);
        }
        if (!Parsing.SipSyntax.IsToken(method))
        {
            throw SipParseException.Create(SipParseError.InvalidHeaderValue, ws, "CSeq method is not a token", value);
        }
        var name = SipMethods.GetName(method, out var known);
        return new SipCSeq((uint)n, known, name);
    }

    public override string ToString() => Number.ToString(CultureInfo.InvariantCulture) + " " + MethodName;
}
