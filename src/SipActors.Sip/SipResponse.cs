using System.Text;
using SipActors.Sip.Headers;
using SipActors.Sip.Serialization;

namespace SipActors.Sip;

/// <summary>A SIP response: SIP/2.0 SP Status-Code SP Reason-Phrase.</summary>
public sealed class SipResponse : SipMessage
{
    private readonly ReadOnlyMemory<byte> _reason;
    private string? _reasonText;

    /// <summary>A new response; the reason phrase defaults to the standard one for the code.</summary>
    public SipResponse(int statusCode, string? reasonPhrase = null)
        : base(new SipHeaderCollection(), default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 699);
        reasonPhrase ??= SipReasonPhrases.Get(statusCode);
        if (reasonPhrase.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ArgumentException("A Reason-Phrase must not contain CR or LF.", nameof(reasonPhrase));
        }
        StatusCode = statusCode;
        _reason = Encoding.UTF8.GetBytes(reasonPhrase);
        _reasonText = reasonPhrase;
    }

    internal SipResponse(int statusCode, ReadOnlyMemory<byte> reason, SipHeaderCollection headers, ReadOnlyMemory<byte> body)
        : base(headers, body)
    {
        StatusCode = statusCode;
        _reason = reason;
    }

    public override bool IsRequest => false;

    public int StatusCode { get; }

    public string ReasonPhrase => _reasonText ??= ReasonText();

    /// <summary>The standard phrase of the status ("OK" for 200) when the response carries it, not a string of its own (one per registration).</summary>
    private string ReasonText()
    {
        var standard = SipReasonPhrases.Get(StatusCode);
        return Ascii.Equals(_reason.Span, standard) ? standard : Utf8(_reason);
    }

    /// <summary>1xx.</summary>
    public bool IsProvisional => StatusCode < 200;

    /// <summary>2xx.</summary>
    public bool IsSuccess => StatusCode is >= 200 and < 300;

    private protected override void ValidateStartLine(SipCSeq cseq)
    {
    }

    internal override int GetStartLineByteCount() => SipMessageWriter.GetStatusLineByteCount(_reason.Length);

    internal override int WriteStartLine(Span<byte> destination) => SipMessageWriter.WriteStatusLine(StatusCode, _reason.Span, destination);

    private protected override bool StartLineEquals(SipMessage other)
        => other is SipResponse r && r.StatusCode == StatusCode && r._reason.Span.SequenceEqual(_reason.Span);
}
