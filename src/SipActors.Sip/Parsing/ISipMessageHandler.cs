using SipActors.Sip.Headers;

namespace SipActors.Sip.Parsing;

/// <summary>
/// What <see cref="SipParser"/> reports as it reads a message head. Positions are offsets into the
/// buffer being parsed, so a handler can keep them without copying. Implement it on a struct: the
/// parser is generic over the handler type, so the JIT turns these calls into direct calls.
/// </summary>
internal interface ISipMessageHandler
{
    void OnRequestLine(SipMethod method, ReadOnlySpan<byte> methodName, int uriStart, int uriLength);

    void OnStatusLine(int statusCode, int reasonStart, int reasonLength);

    /// <summary>One header line; a folded value has already been joined with spaces in place.</summary>
    void OnHeader(SipHeaderId id, int nameStart, int nameLength, int valueStart, int valueLength);
}
