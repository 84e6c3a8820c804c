namespace SipActors.Sip.Uris;

/// <summary>
/// Why a URI did not parse: the character offset from the start of the URI text and a detail
/// naming the problem. Parsers return it instead of throwing so that TryParse stays cheap on
/// hostile input; Parse turns it into a <see cref="SipParseException"/>.
/// </summary>
internal readonly record struct UriFailure(int Offset, string Detail);
