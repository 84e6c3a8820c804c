namespace SipActors.Sip;

/// <summary>Why a SIP message, header or URI was rejected. <see cref="SipParseException.StatusCode"/> maps each to a SIP status.</summary>
public enum SipParseError
{
    /// <summary>The input ended before a complete message (datagram without CRLF CRLF, body shorter than Content-Length).</summary>
    Incomplete,
    /// <summary>The message is larger than <see cref="SipParserLimits.MaxMessageBytes"/>.</summary>
    MessageTooLarge,
    /// <summary>The start line is longer than <see cref="SipParserLimits.MaxStartLineBytes"/>.</summary>
    StartLineTooLong,
    /// <summary>A header line is longer than <see cref="SipParserLimits.MaxHeaderBytes"/>.</summary>
    HeaderTooLong,
    /// <summary>More header fields than <see cref="SipParserLimits.MaxHeaderCount"/>.</summary>
    TooManyHeaders,
    /// <summary>The start line is neither a Request-Line nor a Status-Line.</summary>
    InvalidStartLine,
    /// <summary>The method is not a token.</summary>
    InvalidMethod,
    /// <summary>The Request-URI is missing or contains characters not allowed there.</summary>
    InvalidRequestUri,
    /// <summary>The SIP-Version is not SIP/2.0.</summary>
    UnsupportedVersion,
    /// <summary>The status code is not three digits in 100..699.</summary>
    InvalidStatusCode,
    /// <summary>A header line has no colon, an empty or invalid name, or a bare CR/LF.</summary>
    InvalidHeader,
    /// <summary>A header value does not follow its header's grammar (e.g. CSeq without a number).</summary>
    InvalidHeaderValue,
    /// <summary>Content-Length is not a non-negative integer, appears twice with different values, or is larger than the data.</summary>
    InvalidContentLength,
    /// <summary>Content-Length is larger than <see cref="SipParserLimits.MaxBodyBytes"/>.</summary>
    BodyTooLarge,
    /// <summary>A SIP, SIPS or tel URI does not follow RFC 3261 §25.1 / RFC 3966.</summary>
    InvalidUri,
    /// <summary>Bytes on a stream where a message should start that are neither a message nor a CRLF keep-alive.</summary>
    InvalidFraming,
}
