using SipActors.Sip.Uris;

namespace SipActors.Sip.Tests.Uris;

/// <summary>
/// Whatever the text, Parse either returns a URI that survives its own round trip or throws
/// <see cref="SipParseException"/> (InvalidUri, offset inside the text); TryParse never throws.
/// </summary>
public class UriRandomInputTests
{
    private const string Alphabet = "sipStel:@;=?&%[]:.,/+-_~*'()!$#0123456789abcdefABCDEF<> \t\r\n\"\\^`{|}\u0000\u0001\u007f\u00e9\u20ac\ud83d\ude00\udcff";
    private static readonly string[] Prefixes = ["", "sip:", "sips:", "SIP:", "tel:", "tel:+", "x:", "sip:alice@", "sip:[", "sip:a:b@"];

    [Fact]
    public void Should_only_ever_throw_parse_errors_on_random_text()
    {
        var random = new Random(3261);
        for (var i = 0; i < 30_000; i++)
        {
            var chars = new char[random.Next(0, 48)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = random.Next(8) == 0 ? (char)random.Next(0, 0x10000) : Alphabet[random.Next(Alphabet.Length)];
            }
            Check(Prefixes[random.Next(Prefixes.Length)] + new string(chars));
        }
    }

    [Fact]
    public void Should_only_ever_throw_parse_errors_on_mutated_valid_uris()
    {
        var random = new Random(4475);
        string[] seeds = [.. UriSamples.Sip, .. UriSamples.Tel, .. UriSamples.Opaque];
        for (var i = 0; i < 30_000; i++)
        {
            var text = seeds[random.Next(seeds.Length)];
            for (var edits = random.Next(1, 4); edits > 0; edits--)
            {
                var at = random.Next(text.Length + 1);
                var c = Alphabet[random.Next(Alphabet.Length)].ToString();
                text = random.Next(3) switch
                {
                    0 => text.Insert(at, c),
                    1 when at < text.Length => text.Remove(at, 1),
                    _ when at < text.Length => text.Remove(at, 1).Insert(at, c),
                    _ => text + c,
                };
            }
            Check(text);
        }
    }

    private static void Check(string text)
    {
        var parsed = AddressUri.TryParse(text, out var viaTry);
        SipUri.TryParse(text, out _);
        TelUri.TryParse(text, out _);
        OpaqueUri.TryParse(text, out _);
        AddressUri uri;
        try
        {
            uri = AddressUri.Parse(text);
        }
        catch (SipParseException error)
        {
            Assert.False(parsed, text);
            Assert.Equal(SipParseError.InvalidUri, error.Reason);
            Assert.InRange(error.Offset, 0, text.Length);
            return;
        }
        Assert.True(parsed, text);
        Assert.Equal(uri, viaTry);
        var wire = uri.ToString();
        var again = AddressUri.Parse(wire);
        Assert.True(uri.Equals(again), text);
        Assert.Equal(uri.GetHashCode(), again.GetHashCode());
        Assert.Equal(wire, again.ToString());
    }
}
