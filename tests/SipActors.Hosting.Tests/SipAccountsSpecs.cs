using Microsoft.Extensions.DependencyInjection;
using SipActors.Connections;
using SipActors.Sip.Registrar;

namespace SipActors.Hosting.Tests;

public sealed class SipAccountsSpecs
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static ConnectionParameters Parameters(EmbeddedRegistrar registrar, string user, string? password = null) => new()
    {
        SipServerIp = registrar.Domain,
        SipServerUrl = $"udp://{registrar.UdpEndPoint}",
        Register = true,
        User = user,
        Password = password ?? "pw-" + user,
    };

    [Fact]
    public async Task Should_answer_every_command_within_its_timeout()
    {
        // Arrange
        await using var registrar = EmbeddedRegistrar.Start();
        using var host = TestHost.Build();
        await host.StartAsync();
        var accounts = host.Services.GetRequiredService<ISipAccounts>();

        // Act + Assert, command by command
        Assert.Equal(CommandStatus.Ok, (await accounts.AddAccountAsync("dave", Parameters(registrar, "dave"), Timeout)).Status);
        Assert.Single(registrar.GetBindings("dave"));
        Assert.Equal(ConnectionStatus.Registered, (await accounts.GetStateAsync("dave", Timeout)).Status);
        Assert.Equal(1, (await accounts.GetStatusAsync(Timeout)).Count(ConnectionStatus.Registered));
        Assert.Equal(["dave"], (await accounts.GetAccountsAsync(Timeout)).Select(a => a.Value));

        Assert.Equal(CommandStatus.Ok, (await accounts.UnregisterAsync("dave", Timeout)).Status);
        Assert.Empty(registrar.GetBindings("dave"));
        Assert.Equal(ConnectionStatus.Connected, (await accounts.GetStateAsync("dave", Timeout)).Status);
        Assert.Equal(CommandStatus.NoOp, (await accounts.UnregisterAsync("dave", Timeout)).Status);
        Assert.Equal(CommandStatus.Ok, (await accounts.RegisterAsync("dave", Timeout)).Status);
        Assert.Single(registrar.GetBindings("dave"));

        Assert.Equal(CommandStatus.Ok, (await accounts.DisconnectAsync("dave", Timeout)).Status);
        Assert.Equal(0, registrar.RegisteredUsers);
        Assert.Equal(ConnectionStatus.Disconnected, (await accounts.GetStateAsync("dave", Timeout)).Status);
        Assert.Equal(CommandStatus.Ok, (await accounts.ConnectAsync("dave", Timeout)).Status);
        Assert.Single(registrar.GetBindings("dave"));

        Assert.Equal(CommandStatus.Ok, (await accounts.AddAccountAsync("erin", Parameters(registrar, "erin"), Timeout)).Status);
        var message = await accounts.SendMessageAsync("dave", $"sip:erin@{registrar.Domain}", "hello erin", timeout: Timeout);
        Assert.Equal((CommandStatus.Ok, 200), (message.Status, message.StatusCode));
        var ping = await accounts.SendOptionsAsync("dave", timeout: Timeout);
        Assert.Equal((CommandStatus.Ok, 200), (ping.Status, ping.StatusCode));
        Assert.Equal(CommandStatus.Ok, (await accounts.RemoveAccountAsync("erin", Timeout)).Status);

        Assert.Equal(CommandStatus.Ok, (await accounts.RemoveAccountAsync("dave", Timeout)).Status);
        Assert.Empty(await accounts.GetAccountsAsync(Timeout));
        await TestHost.AwaitConditionAsync(() => registrar.RegisteredUsers == 0, Timeout, "a removed account un-registers");
        var unknown = await accounts.ConnectAsync("nobody", Timeout);
        Assert.Equal(CommandStatus.Failed, unknown.Status);
        Assert.Contains("'nobody' is not known", unknown.Error);

        await host.StopAsync();
    }

    [Fact]
    public async Task Should_reject_invalid_parameters_naming_the_field()
    {
        // Arrange
        using var host = TestHost.Build();
        await host.StartAsync();
        var accounts = host.Services.GetRequiredService<ISipAccounts>();
        var parameters = new ConnectionParameters { SipServerIp = "127.0.0.1", SipServerUrl = "udp://127.0.0.1:5060", Register = true, User = "erin" };

        // Act
        var error = await Assert.ThrowsAsync<ArgumentException>(() => accounts.AddAccountAsync("erin", parameters));

        // Assert
        Assert.Contains("Password is required", error.Message);
        await host.StopAsync();
    }

    [Fact]
    public async Task Should_throw_a_timeout_naming_command_and_account_when_the_answer_is_late()
    {
        // Arrange: a registrar that answers REGISTER after 3 s, a call that waits 300 ms
        await using var registrar = EmbeddedRegistrar.Start(new EmbeddedRegistrarOptions { RegisterResponseDelay = TimeSpan.FromSeconds(3) });
        using var host = TestHost.Build(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
        await host.StartAsync();
        var accounts = host.Services.GetRequiredService<ISipAccounts>();

        // Act
        var error = await Assert.ThrowsAsync<TimeoutException>(() => accounts.AddAccountAsync("frank", Parameters(registrar, "frank"), TimeSpan.FromMilliseconds(300)));

        // Assert
        Assert.Contains("AddAccount for account 'frank'", error.Message);
        // The connect went on without the caller: it settles registered.
        Assert.True((await accounts.RegisterAsync("frank", Timeout)).IsSuccess);
        Assert.Single(registrar.GetBindings("frank"));
        await host.StopAsync();
        Assert.Equal(0, registrar.RegisteredUsers);
    }
}
