using System.Text;
using SipActors.Sip.Headers;
using SipActors.Sip.Parsing;
using SipActors.Sip.Tests.TestData;

namespace SipActors.Sip.Tests.Conformance;

/// <summary>
/// Random mutations of valid messages: whatever the bytes, parsing, framing, every accessor and
/// validation either work or throw <see cref="SipParseException"/>. Seeds are fixed, so a failure
/// is reproducible from the message it prints.
/// </summary>
public class ParserFuzzTests
{
    private static readonly byte[] Interesting = "\r\n\0\xff:;,\"<>\\ \t=@%?[]"u8.ToArray();

    private static IEnumerable<byte[]> Seeds()
    {
        foreach (var name in Rfc4475Messages.Names)
        {
            yield return Rfc4475Messages.Get(name);
        }
        yield return SampleMessages.Bytes(SampleMessages.Register);
        yield return SampleMessages.Bytes(SampleMessages.Unauthorized);
        yield return SampleMessages.Bytes(SampleMessages.RegisterOk);
        yield return SampleMessages.Bytes(SampleMessages.Invite);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Should_throw_nothing_but_parse_errors_on_mutated_messages(int seed)
    {
        var random = new Random(seed);
        var seeds = Seeds().ToArray();
        var parsed = 0;
        for (var iteration = 0; iteration < 5000; iteration++)
        {
            var bytes = Mutate(seeds[random.Next(seeds.Length)], random);
            try
            {
                Exercise(bytes);
                parsed++;
            }
            catch (SipParseException)
            {
                // the expected outcome for most mutations
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed}, iteration {iteration}: {e.GetType().Name}: {e.Message}\n{SipParseException.Escape(bytes)}\n{e.StackTrace}");
            }
        }
        // Enough mutants must survive parsing for the accessors and Validate to be exercised at all.
        Assert.InRange(parsed, 1000, 5000);
    }

    private static void Exercise(byte[] bytes)
    {
        var buffer = SegmentedSequence.Create(bytes, 17);
        try
        {
            new SipStreamFramer().TryRead(ref buffer, out _);
        }
        catch (SipParseException)
        {
        }

        var message = SipMessage.Parse(bytes);
        foreach (var access in Accessors)
        {
            try
            {
                access(message);
            }
            catch (SipParseException)
            {
            }
        }
        _ = message.ToString();
        Assert.Equal(message, SipMessage.Parse(message.ToArray()));
    }

    private static readonly Action<SipMessage>[] Accessors =
    [
        m => _ = m.CallId, m => _ = m.CSeq, m => _ = m.From?.Uri, m => _ = m.To?.Uri, m => _ = m.Vias, m => _ = m.TopVia,
        m => _ = m.Contacts.Select(c => c.IsWildcard ? null : c.Uri).ToList(), m => _ = m.IsWildcardContact,
        m => _ = m.Routes, m => _ = m.RecordRoutes, m => _ = m.ServiceRoutes, m => _ = m.Paths,
        m => _ = m.Expires, m => _ = m.MinExpires, m => _ = m.MaxForwards, m => _ = m.ContentLength,
        m => _ = m.ContentType, m => _ = m.Allow, m => _ = m.Supported, m => _ = m.Event, m => _ = m.RetryAfter,
        m => _ = m.WwwAuthenticate, m => _ = (m as SipRequest)?.RequestUri, m => _ = (m as SipResponse)?.ReasonPhrase,
        m => m.Validate(),
        m =>
        {
            foreach (var header in m.Headers)
            {
                _ = m.Headers.GetValues(header.Name);
            }
            foreach (var id in Enum.GetValues<SipHeaderId>())
            {
                foreach (var value in m.Headers.EnumerateValues(id))
                {
                    ViaValue.TryParse(value, out _);
                    NameAddressValue.TryParse(value, out _);
                }
            }
        },
    ];

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = new List<byte>(original);
        var mutations = random.Next(1, 6);
        for (var m = 0; m < mutations && bytes.Count > 0; m++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(8))
            {
                case 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 1:
                    bytes.Insert(at, Interesting[random.Next(Interesting.Length)]);
                    break;
                case 2:
                    bytes.RemoveRange(at, Math.Min(random.Next(1, 8), bytes.Count - at));
                    break;
                case 3:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 4:
                    bytes[at] = Interesting[random.Next(Interesting.Length)];
                    break;
                case 5:
                    // Duplicate a line (a header appearing twice).
                    var text = Encoding.Latin1.GetString(bytes.ToArray());
                    var start = text.LastIndexOf('\n', at) + 1;
                    var end = text.IndexOf('\n', at);
                    if (end > start)
                    {
                        bytes.InsertRange(end + 1, bytes.GetRange(start, end - start + 1));
                    }
                    break;
                case 6:
                    // Change digits, where lengths and numbers live.
                    if (bytes[at] is >= (byte)'0' and <= (byte)'9')
                    {
                        bytes[at] = (byte)('0' + random.Next(10));
                        bytes.Insert(at, (byte)('0' + random.Next(10)));
                    }
                    break;
                default:
                    var chunk = bytes.GetRange(at, Math.Min(random.Next(1, 40), bytes.Count - at));
                    bytes.InsertRange(random.Next(bytes.Count), chunk);
                    break;
            }
        }
        return [.. bytes];
    }
}
