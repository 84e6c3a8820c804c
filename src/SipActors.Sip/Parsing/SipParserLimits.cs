namespace SipActors.Sip;

/// <summary>
/// Bounds the parser enforces, so that no input, however hostile, costs more than a known amount
/// of memory or time. Every setter rejects values that make no sense.
/// </summary>
public sealed class SipParserLimits
{
    /// <summary>The defaults, shared; treat as read-only.</summary>
    public static SipParserLimits Default { get; } = new();

    private int _maxMessageBytes = 64 * 1024;
    private int _maxStartLineBytes = 8 * 1024;
    private int _maxHeaderBytes = 8 * 1024;
    private int _maxHeaderCount = 256;
    private int _maxBodyBytes = 60 * 1024;

    /// <summary>
    /// Largest whole message, 64 KiB by default: the largest UDP datagram (RFC 3261 §18.1.1 allows
    /// messages up to 65,535 bytes over UDP) and far above any REGISTER or INVITE with SDP.
    /// </summary>
    public int MaxMessageBytes
    {
        get => _maxMessageBytes;
        set => _maxMessageBytes = Check(value, 64, nameof(MaxMessageBytes));
    }

    /// <summary>Longest Request-Line or Status-Line, 8 KiB by default.</summary>
    public int MaxStartLineBytes
    {
        get => _maxStartLineBytes;
        set => _maxStartLineBytes = Check(value, 16, nameof(MaxStartLineBytes));
    }

    /// <summary>Longest single header field including folded continuation lines, 8 KiB by default.</summary>
    public int MaxHeaderBytes
    {
        get => _maxHeaderBytes;
        set => _maxHeaderBytes = Check(value, 16, nameof(MaxHeaderBytes));
    }

    /// <summary>Most header fields in one message, 256 by default: a REGISTER has about 12; RFC 4475's largest valid torture message has fewer than 60.</summary>
    public int MaxHeaderCount
    {
        get => _maxHeaderCount;
        set => _maxHeaderCount = Check(value, 1, nameof(MaxHeaderCount));
    }

    /// <summary>Largest body (Content-Length), 60 KiB by default, leaving room for headers within a 64 KiB datagram.</summary>
    public int MaxBodyBytes
    {
        get => _maxBodyBytes;
        set => _maxBodyBytes = Check(value, 0, nameof(MaxBodyBytes));
    }

    private static int Check(int value, int minimum, string name)
        => value >= minimum ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least {minimum}.");
}
