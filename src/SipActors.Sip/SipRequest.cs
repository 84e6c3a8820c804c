using System.Text;
using SipActors.Sip.Headers;
using SipActors.Sip.Serialization;

namespace SipActors.Sip;

/// <summary>A SIP request: Method SP Request-URI SP SIP/2.0.</summary>
public sealed class SipRequest : SipMessage
{
    private readonly ReadOnlyMemory<byte> _requestUri;
    private string? _requestUriText;

    /// <summary>A new request to build and send.</summary>
    public SipRequest(SipMethod method, string requestUri)
        : this(method == SipMethod.Unknown ? throw new ArgumentException("Use the constructor taking a method name for extension methods.", nameof(method)) : method,
              method.ToName(), requestUri)
    {
    }

    /// <summary>A new request with any method name (an RFC 3261 token).</summary>
    public SipRequest(string methodName, string requestUri)
        : this(SipMethods.FromName(methodName), methodName, requestUri)
    {
    }

    private SipRequest(SipMethod method, string methodName, string requestUri, SipHeaderCollection? headers = null)
        : base(headers ?? new SipHeaderCollection(), default)
    {
        ArgumentException.ThrowIfNullOrEmpty(methodName);
        ArgumentException.ThrowIfNullOrEmpty(requestUri);
        foreach (var c in methodName)
        {
            if (c > 0x7F || !Parsing.SipSyntax.Token.Contains((byte)c))
            {
                throw new ArgumentException($"'{methodName}' is not a valid method name (RFC 3261 token).", nameof(methodName));
            }
        }
        if (requestUri.AsSpan().IndexOfAny(" \t\r\n") >= 0)
        {
            throw new ArgumentException("A Request-URI must not contain whitespace.", nameof(requestUri));
        }
        Method = method;
        MethodName = methodName;
        _requestUri = Encoding.UTF8.GetBytes(requestUri);
        _requestUriText = requestUri;
    }

    /// <summary>
    /// A request to serialize once and drop, its header arrays rented from the shared pools:
    /// the caller gives them back (<c>Headers.ReturnToPool()</c>) once the bytes are taken.
    /// </summary>
    internal static SipRequest Rented(SipMethod method, string requestUri) => new(method, method.ToName(), requestUri, SipHeaderCollection.Rent());

    /// <summary>
    /// As <see cref="Rented(SipMethod, string)"/>, with the Request-URI's bytes made (and checked) once
    /// by the caller: a registration's every REGISTER goes to the same URI.
    /// </summary>
    internal static SipRequest Rented(SipMethod method, string requestUri, ReadOnlyMemory<byte> requestUriBytes)
        => new(method, method.ToName(), requestUriBytes, SipHeaderCollection.Rent(), default) { _requestUriText = requestUri };

    /// <summary>Whether <paramref name="requestUri"/> may be a Request-URI as the public constructors check it.</summary>
    internal static bool IsValidRequestUri(string requestUri)
        => !string.IsNullOrEmpty(requestUri) && requestUri.AsSpan().IndexOfAny(" \t\r\n") < 0;

    internal SipRequest(SipMethod method, string methodName, ReadOnlyMemory<byte> requestUri, SipHeaderCollection headers, ReadOnlyMemory<byte> body)
        : base(headers, body)
    {
        Method = method;
        MethodName = methodName;
        _requestUri = requestUri;
    }

    public override bool IsRequest => true;

    /// <summary>The method, or <see cref="SipMethod.Unknown"/> for an extension method (see <see cref="MethodName"/>).</summary>
    public SipMethod Method { get; }

    /// <summary>The method as written (case-sensitive).</summary>
    public string MethodName { get; }

    /// <summary>The Request-URI as written.</summary>
    public string RequestUriText => _requestUriText ??= Utf8(_requestUri);

    /// <summary>The Request-URI parsed (once); a malformed one throws <see cref="SipParseException"/> with <see cref="SipParseError.InvalidUri"/>.</summary>
    public Uris.AddressUri RequestUri => _parsedUri ??= Uris.AddressUri.Parse(RequestUriText);

    private Uris.AddressUri? _parsedUri;

    internal ReadOnlySpan<byte> RequestUriBytes => _requestUri.Span;

    private protected override void ValidateStartLine(SipCSeq cseq)
    {
        // RFC 3261 §19.1.5: headers of a SIP URI are for building a request, never part of a Request-URI (RFC 4475 §3.1.2.11).
        if (RequestUri is Uris.SipUri { Headers.Count: > 0 })
        {
            SipParseException.Throw(SipParseError.InvalidRequestUri, -1, "the Request-URI carries URI headers ('?')");
        }
        if (!string.Equals(cseq.MethodName, MethodName, StringComparison.Ordinal))
        {
            SipParseException.Throw(SipParseError.InvalidHeaderValue, -1, $"CSeq method {cseq.MethodName} does not match the request method {MethodName}");
        }
    }

    internal override int GetStartLineByteCount() => SipMessageWriter.GetRequestLineByteCount(MethodName, _requestUri.Length);

    internal override int WriteStartLine(Span<byte> destination) => SipMessageWriter.WriteRequestLine(MethodName, _requestUri.Span, destination);

    private protected override bool StartLineEquals(SipMessage other)
        => other is SipRequest r && string.Equals(r.MethodName, MethodName, StringComparison.Ordinal) && r._requestUri.Span.SequenceEqual(_requestUri.Span);
}
