using Microsoft.Extensions.Configuration;
using SipActors.Calls;

namespace SipActors.Hosting.Tests;

/// <summary>The call keys of an account in <c>SipActors:Accounts:N</c>: binding, defaults, mapping and validation.</summary>
public sealed class SipAccountOptionsSpecs
{
    private static Dictionary<string, string?> Account(int index, string id, params (string Key, string Value)[] extra)
    {
        var prefix = $"SipActors:Accounts:{index}:";
        var values = new Dictionary<string, string?>
        {
            [prefix + "Id"] = id,
            [prefix + "SipServerIp"] = "127.0.0.1",
            [prefix + "SipServerUrl"] = "udp://127.0.0.1:5060",
            [prefix + "Register"] = "true",
            [prefix + "User"] = id,
            [prefix + "Password"] = "pw-secret-" + id,
        };
        foreach (var (key, value) in extra)
        {
            values[prefix + key] = value;
        }
        return values;
    }

    private static IConfiguration Configuration(params Dictionary<string, string?>[] accounts)
        => new ConfigurationBuilder().AddInMemoryCollection(accounts.SelectMany(a => a)).Build();

    [Fact]
    public void Should_bind_the_call_keys_from_configuration_into_the_parameters()
    {
        // Arrange
        var configuration = Configuration(Account(0, "bob", ("IncomingCalls", "auto-answer"), ("AnswerSdp", "v=0\r\ns=bob\r\n"), ("NoAnswerTimeout", "15")));

        // Act
        var options = SipActorsStarter.FinalOptions(new SipActorsOptions(), configuration);
        var parameters = options.Accounts[0].ToParameters(300, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(6));

        // Assert
        Assert.Equal("auto-answer", options.Accounts[0].IncomingCalls);
        Assert.Equal(IncomingCallPolicy.AutoAnswer, parameters.IncomingCalls);
        Assert.Equal("v=0\r\ns=bob\r\n", parameters.AnswerSdp);
        Assert.Equal(15, parameters.NoAnswerTimeout);
    }

    [Theory]
    [InlineData(null, IncomingCallPolicy.Ring)]
    [InlineData("", IncomingCallPolicy.Ring)]
    [InlineData("ring", IncomingCallPolicy.Ring)]
    [InlineData("auto-answer", IncomingCallPolicy.AutoAnswer)]
    [InlineData("AutoAnswer", IncomingCallPolicy.AutoAnswer)]
    [InlineData("reject", IncomingCallPolicy.Reject)]
    [InlineData("ignore-event", IncomingCallPolicy.IgnoreEvent)]
    public void Should_map_each_policy_name_and_default_to_ring(string? name, IncomingCallPolicy expected)
    {
        var account = new SipAccountOptions { Id = "bob", SipServerIp = "127.0.0.1", SipServerUrl = "udp://127.0.0.1:5060", IncomingCalls = name };

        var parameters = account.ToParameters(300, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(6));

        Assert.Equal(expected, parameters.IncomingCalls);
        Assert.Equal(60, parameters.NoAnswerTimeout);
        Assert.Null(parameters.AnswerSdp);
        Assert.Empty(SipActorsOptionsValidator.Errors(new SipActorsOptions { Accounts = [account] }));
    }

    [Fact]
    public void Should_bind_the_auth_user_and_retry_connect_keys()
    {
        var configuration = Configuration(Account(0, "carol", ("AuthUser", "auth-carol"), ("RetryConnect", "true")), Account(1, "dan"));

        var options = SipActorsStarter.FinalOptions(new SipActorsOptions(), configuration);
        var carol = options.Accounts[0].ToParameters(300, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(6));
        var dan = options.Accounts[1].ToParameters(300, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(6));

        Assert.Equal(("auth-carol", true), (carol.AuthUser, carol.RetryConnect));
        Assert.Equal(((string?)null, false), (dan.AuthUser, dan.RetryConnect));
    }

    [Fact]
    public void Should_keep_the_call_keys_of_an_account_set_in_code_next_to_configured_ones()
    {
        // Arrange: the binder appends configured accounts to those set in code
        var code = new SipActorsOptions();
        code.Accounts.Add(new SipAccountOptions { Id = "carol", SipServerIp = "127.0.0.1", SipServerUrl = "udp://127.0.0.1:5060", IncomingCalls = "reject", NoAnswerTimeout = 10 });

        // Act
        var options = SipActorsStarter.FinalOptions(code, Configuration(Account(0, "bob", ("IncomingCalls", "ignore-event"))));

        // Assert
        var parameters = options.Accounts.Select(a => a.ToParameters(300, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(6))).ToList();
        Assert.Equal(["carol", "bob"], options.Accounts.Select(a => a.Id));
        Assert.Equal((IncomingCallPolicy.Reject, 10), (parameters[0].IncomingCalls, parameters[0].NoAnswerTimeout));
        Assert.Equal((IncomingCallPolicy.IgnoreEvent, 60), (parameters[1].IncomingCalls, parameters[1].NoAnswerTimeout));
        Assert.Single(code.Accounts);
    }

    [Fact]
    public void Should_reject_a_bad_policy_and_timeout_naming_the_keys_and_the_accepted_names()
    {
        // Arrange
        var options = new SipActorsOptions();
        Configuration(Account(0, "alice"), Account(1, "bob", ("IncomingCalls", "answer-machine"), ("NoAnswerTimeout", "0")))
            .GetSection(SipActorsOptions.SectionName).Bind(options);

        // Act
        var errors = SipActorsOptionsValidator.Errors(options);

        // Assert: one error per key, each naming it; no password
        Assert.Equal(2, errors.Count);
        var policy = Assert.Single(errors, e => e.Contains("IncomingCalls", StringComparison.Ordinal));
        Assert.StartsWith("SipActors:Accounts:1:IncomingCalls", policy, StringComparison.Ordinal);
        Assert.Contains("'answer-machine'", policy, StringComparison.Ordinal);
        Assert.Contains("ring, auto-answer, reject or ignore-event", policy, StringComparison.Ordinal);
        Assert.Contains(errors, e => e.StartsWith("SipActors:Accounts:1:NoAnswerTimeout must be 1..3600", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains("pw-secret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Should_fail_start_up_on_a_bad_policy_name_naming_the_key()
    {
        // Arrange
        using var host = TestHost.Build(configuration: Account(0, "bob", ("IncomingCalls", "voicemail")));

        // Act
        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        // Assert
        Assert.Contains("SipActors:Accounts:0:IncomingCalls: 'voicemail' is not one of ring, auto-answer, reject or ignore-event", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pw-secret", error.Message, StringComparison.Ordinal);
    }
}
