using System.Buffers;

namespace SipActors.Sip.Parsing;

/// <summary>Character classes of the RFC 3261 §25.1 grammar, as vectorizable sets.</summary>
internal static class SipSyntax
{
    public const byte CR = (byte)'\r';
    public const byte LF = (byte)'\n';
    public const byte SP = (byte)' ';
    public const byte HT = (byte)'\t';
    public const byte Colon = (byte)':';
    public const byte Comma = (byte)',';
    public const byte Semicolon = (byte)';';
    public const byte Quote = (byte)'"';
    public const byte Backslash = (byte)'\\';
    public const byte LAngle = (byte)'<';
    public const byte RAngle = (byte)'>';
    public const byte Equal = (byte)'=';

    /// <summary>token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~").</summary>
    public static readonly SearchValues<byte> Token = SearchValues.Create(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~"u8);

    /// <summary>Line ends and the characters that must not appear bare in a header line.</summary>
    public static readonly SearchValues<byte> LineBreaks = SearchValues.Create("\r\n"u8);

    /// <summary>Linear white space within a line.</summary>
    public static readonly SearchValues<byte> Whitespace = SearchValues.Create(" \t"u8);

    /// <summary>Stops for a top-level comma scan: quotes and escapes change meaning, angle brackets enclose URIs.</summary>
    public static readonly SearchValues<byte> ListStops = SearchValues.Create(",\"<>\\"u8);

    public static bool IsToken(ReadOnlySpan<byte> value) => !value.IsEmpty && !value.ContainsAnyExcept(Token);

    public static ReadOnlySpan<byte> TrimWhitespace(ReadOnlySpan<byte> value)
    {
        var start = value.IndexOfAnyExcept(Whitespace);
        if (start < 0)
        {
            return default;
        }
        var end = value.LastIndexOfAnyExcept(Whitespace);
        return value[start..(end + 1)];
    }
}
