using SipActors.Cli.Load;

namespace SipActors.Cli.Tests.Load;

public sealed class LoadAccountsSpecs
{
    [Fact]
    public void Should_generate_users_and_passwords_from_the_formats()
    {
        var accounts = LoadAccounts.Generate(3, 7, "user{0:D4}", "pw-{user}-{0}");

        Assert.Equal(["user0007", "user0008", "user0009"], accounts.Select(a => a.User));
        Assert.Equal(["pw-user0007-7", "pw-user0008-8", "pw-user0009-9"], accounts.Select(a => a.Password));
    }

    [Fact]
    public void Should_generate_auth_users_apart_from_the_users_when_asked()
    {
        var accounts = LoadAccounts.Generate(2, 1, "u{0:D3}", "secret-{0}", "auth-{user}");

        Assert.Equal(["auth-u001", "auth-u002"], accounts.Select(a => a.AuthUser));
        Assert.Null(LoadAccounts.Generate(1, 1, "u{0:D3}", "x")[0].AuthUser);
        var error = Assert.Throws<CliUsageException>(() => LoadAccounts.Generate(1, 1, "u{0:D3}", "x", "a b{0}"));
        Assert.Contains("--auth-user-format", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_read_a_file_skipping_comments_and_blank_lines_with_commas_in_display_names()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "# user,password,display name\n\nalice , pw-alice, Alice, Ops\nbob,pw-bob\n");

            var accounts = LoadAccounts.ReadFile(path);

            Assert.Equal([new LoadAccount("alice", "pw-alice", "Alice, Ops"), new LoadAccount("bob", "pw-bob", null)], accounts);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Should_skip_a_header_record_and_read_quoted_fields()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "User,Password,Display Name\n\"alice\",\"pw,with \"\"quotes\"\"\",\"Smith, Alice\"\nbob,pw-bob\n");

            var accounts = LoadAccounts.ReadFile(path);

            Assert.Equal([new LoadAccount("alice", "pw,with \"quotes\"", "Smith, Alice"), new LoadAccount("bob", "pw-bob", null)], accounts);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Should_never_print_a_password()
        => Assert.DoesNotContain("secret", new LoadAccount("alice", "secret", null).ToString(), StringComparison.Ordinal);

    [Theory]
    [InlineData("X-Test: 1", true)]
    [InlineData("X-Test:1", true)]
    [InlineData("X-Test:", false)]
    [InlineData(": value", false)]
    [InlineData("X Test: value", false)]
    [InlineData("X-Test: a\r\nVia: injected", false)]
    public void Should_accept_only_header_lines(string header, bool valid)
        => Assert.Equal(valid, LoadCommand.IsHeaderLine(header));
}
