namespace SipActors.Sip.Tests.Conformance;

/// <summary>
/// RFC 4475 messages that must be refused. Syntax errors fail in <see cref="SipMessage.Parse(ReadOnlySpan{byte})"/>;
/// errors only visible in a header's grammar or in the message's semantics fail in <see cref="SipMessage.Validate"/>,
/// which a receiver runs before acting on a request.
/// </summary>
public class Rfc4475InvalidMessageTests
{
    public static TheoryData<string, SipParseError> RejectedByParse => new()
    {
        { "clerr", SipParseError.InvalidContentLength },     // §3.1.2.2 Content-Length larger than the message
        { "ncl", SipParseError.InvalidContentLength },       // §3.1.2.3 negative Content-Length
        { "ltgtruri", SipParseError.InvalidRequestUri },     // §3.1.2.7 <> around the Request-URI
        { "lwsruri", SipParseError.InvalidRequestUri },      // §3.1.2.8 LWS inside the Request-URI
        { "lwsstart", SipParseError.InvalidStartLine },      // §3.1.2.9 several SP between elements
        { "trws", SipParseError.InvalidStartLine },          // §3.1.2.10 SP at the end of the Request-Line
        { "badvers", SipParseError.UnsupportedVersion },     // §3.1.2.16 SIP/7.0 (answered 505)
        { "bigcode", SipParseError.InvalidStatusCode },      // §3.1.2.19 overlarge status code
        { "mcl01", SipParseError.InvalidContentLength },     // §3.3.9 two different Content-Length values
    };

    public static TheoryData<string, string> RejectedByValidation => new()
    {
        { "badinv01", "Via" },                               // §3.1.2.1 ";;,;,," makes empty Via values
        { "scalar02", "CSeq" },                              // §3.1.2.4 CSeq beyond 2^31 (and Max-Forwards 300)
        { "scalarlg", "CSeq" },                              // §3.1.2.5 the same in a response
        { "quotbal", "name-addr" },                          // §3.1.2.6 unterminated quoted display name
        { "escruri", "URI headers" },                        // §3.1.2.11 escaped headers in the Request-URI
        { "regbadct", "name-addr" },                         // §3.1.2.13 URI with '?' outside <>
        { "badaor", "name-addr" },                           // §3.1.2.14 spaces inside <>
        { "baddn", "name-addr" },                            // §3.1.2.15 unquoted display name with a comma
        { "mismatch01", "does not match" },                  // §3.1.2.17 CSeq method differs from the request's
        { "mismatch02", "does not match" },                  // §3.1.2.18 the same with an unknown method
        { "insuf", "missing" },                              // §3.3.1 To, From, Call-ID missing
        { "multi01", "must appear once" },                   // §3.3.8 several To/From/Call-ID/CSeq
    };

    [Theory]
    [MemberData(nameof(RejectedByParse))]
    public void Should_refuse_to_parse(string name, SipParseError reason)
    {
        var error = Assert.Throws<SipParseException>(() => SipMessage.Parse(Rfc4475Messages.Get(name)));

        Assert.Equal(reason, error.Reason);
    }

    [Theory]
    [MemberData(nameof(RejectedByValidation))]
    public void Should_parse_but_fail_validation_naming_the_problem(string name, string problem)
    {
        var message = SipMessage.Parse(Rfc4475Messages.Get(name));

        var error = Assert.Throws<SipParseException>(message.Validate);

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_answer_an_unsupported_version_with_505()
    {
        Assert.Equal(505, Assert.Throws<SipParseException>(() => SipMessage.Parse(Rfc4475Messages.Get("badvers"))).StatusCode);
    }
}
