using SipActors.Sip.Auth;

namespace SipActors.Sip.Tests.Auth;

public class DigestCredentialsTests
{
    [Fact]
    public void Should_never_print_the_password()
    {
        var credentials = new DigestCredentials("alice", "s3cret-pass");

        Assert.DoesNotContain("s3cret-pass", credentials.ToString(), StringComparison.Ordinal);
        Assert.Contains("alice", credentials.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_accept_an_empty_password()
    {
        var credentials = new DigestCredentials("alice", "");

        Assert.Equal("alice", credentials.Username);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ali\r\nce")]
    [InlineData("ali\u0000ce")]
    public void Should_refuse_a_username_that_cannot_go_in_a_header(string username)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new DigestCredentials(username, "s3cret-pass"));

        Assert.DoesNotContain("s3cret-pass", error.ToString(), StringComparison.Ordinal);
    }
}
