using System.Security.Cryptography;
using System.Text;

namespace SipActors.Sip.Tests.Messaging;

public class SipIdentifiersTests
{
    [Theory]
    [InlineData("sip:alice@127.0.0.1")]
    [InlineData("sip:load00042@example.com")]
    [InlineData("sip:zoë@例え.jp")]
    public void Should_derive_the_same_instance_urn_from_an_account_as_before(string aor)
    {
        // The +sip.instance of an account must not change between versions: a registrar keys the
        // binding by it, and a new value would leave the old binding behind. Computed here as the
        // first version did (SHA-256 of the UTF-8 key, version-5 layout).
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(aor));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        var expected = "urn:uuid:" + new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString("D");

        Assert.Equal(expected, SipIdentifiers.InstanceUrn(aor));
        Assert.Equal(SipIdentifiers.InstanceUrn(aor), SipIdentifiers.InstanceUrn(aor));
    }

    [Fact]
    public void Should_derive_an_instance_urn_from_a_key_longer_than_the_stack_buffer()
    {
        var key = "sip:" + new string('a', 2000) + "@example.com";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);

        Assert.Equal("urn:uuid:" + new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString("D"), SipIdentifiers.InstanceUrn(key));
    }

    [Fact]
    public void Should_make_call_ids_of_32_lowercase_hex_digits_that_differ()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => SipIdentifiers.NewCallId()).ToList();

        Assert.All(ids, id => Assert.Matches("^[0-9a-f]{32}$", id));
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Should_read_back_the_counter_of_each_branch_made_here_and_nothing_else()
    {
        var branches = Enumerable.Range(0, 1000).Select(_ => SipIdentifiers.NewBranch()).ToList();
        var numbers = new HashSet<ulong>();
        foreach (var branch in branches)
        {
            Assert.True(SipIdentifiers.TryReadOwnBranch(Encoding.ASCII.GetBytes(branch), out var number), branch);
            Assert.True(numbers.Add(number), branch);
        }
        // The cookie and the process prefix, then the counter in lower-case hexadecimal.
        var own = branches[0][..20];
        foreach (var foreign in new[] { "z9hG4bK.t1", "z9hG4bK776asdhds", own, own + "0", own + "01", own + "A", own + "1g", own + new string('1', 17), own[..^1] + "x1" })
        {
            if (foreign == own + "0")
            {
                // "0" alone is what the counter 0 would write: ours.
                Assert.True(SipIdentifiers.TryReadOwnBranch(Encoding.ASCII.GetBytes(foreign), out var zero));
                Assert.Equal(0UL, zero);
                continue;
            }
            Assert.False(SipIdentifiers.TryReadOwnBranch(Encoding.ASCII.GetBytes(foreign), out _), foreign);
        }
    }
}
