using System.Text;
using SipActors.Sip.Parsing;

namespace SipActors.Sip.Headers;

/// <summary>Event (RFC 6665 §8.2.1): <c>package[.template]*(;param)</c>, with the <c>id</c> parameter that tells subscriptions apart.</summary>
public sealed class SipEventHeader(string package, IReadOnlyList<KeyValuePair<string, string?>> parameters)
{
    public string Package { get; } = package;
    public IReadOnlyList<KeyValuePair<string, string?>> Parameters { get; } = parameters;

    public string? Id => SipParameters.TryFind(Parameters, "id", out var value) ? value : null;

    public static SipEventHeader Parse(ReadOnlySpan<byte> value)
    {
        var semi = value.IndexOf(SipSyntax.Semicolon);
        var package = SipSyntax.TrimWhitespace(semi < 0 ? value : value[..semi]);
        if (!SipSyntax.IsToken(package))
        {
            throw SipParseException.Create(SipParseError.InvalidHeaderValue, 0, "Event package is not a token", value);
        }
        return new SipEventHeader(Encoding.ASCII.GetString(package), semi < 0 ? [] : SipParameters.ToList(value[semi..]));
    }

    public override string ToString()
    {
        var sb = new StringBuilder(Package);
        SipParameters.AppendTo(sb, Parameters);
        return sb.ToString();
    }
}
