using System.Globalization;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using SipActors.Calls;
using SipActors.Connections;

namespace SipActors.Hosting;

/// <summary>
/// <see cref="ISipAccounts"/> over the supervisor of <c>WithSipActors</c>. Each call first waits
/// (within its timeout) for the supervisor to be registered, so it may be called while the host
/// is still starting.
/// </summary>
internal sealed class SipAccounts(IServiceProvider services) : ISipAccounts
{
    public async Task<CommandResult> AddAccountAsync(AccountId account, ConnectionParameters parameters, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentException.ThrowIfNullOrWhiteSpace(account.Value, nameof(account));
        var errors = parameters.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException($"Account '{account}': {string.Join("; ", errors)}", nameof(parameters));
        }
        return await AskAsync<CommandResult>("AddAccount", account, timeout, runtime =>
        {
            runtime.Parameters[account] = parameters;
            return new Connect(account, parameters);
        }, cancellationToken).ConfigureAwait(false);
    }

    public Task<CommandResult> RemoveAccountAsync(AccountId account, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => AskAsync<CommandResult>("RemoveAccount", account, timeout, runtime =>
        {
            runtime.Parameters.TryRemove(account, out _);
            return new RemoveAccount(account);
        }, cancellationToken);

    public async Task<CommandResult> ConnectAsync(AccountId account, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var runtime = await RuntimeAsync("Connect", account, timeout, cancellationToken).ConfigureAwait(false);
        if (!runtime.Parameters.TryGetValue(account, out var parameters))
        {
            return new CommandResult(account, CommandStatus.Failed, $"account '{account}' is not known: add it with AddAccountAsync or in configuration");
        }
        return await AskAsync<CommandResult>("Connect", account, timeout, _ => new Connect(account, parameters), cancellationToken).ConfigureAwait(false);
    }

    public Task<CommandResult> DisconnectAsync(AccountId account, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => AskAsync<CommandResult>("Disconnect", account, timeout, _ => new Disconnect(account), cancellationToken);

    public Task<CommandResult> RegisterAsync(AccountId account, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => AskAsync<CommandResult>("Register", account, timeout, _ => new Register(account), cancellationToken);

    public Task<CommandResult> UnregisterAsync(AccountId account, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => AskAsync<CommandResult>("Unregister", account, timeout, _ => new Unregister(account), cancellationToken);

    public Task<CommandResult> SendMessageAsync(AccountId account, string target, string body, string contentType = "text/plain", TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => AskAsync<CommandResult>("SendMessage", account, timeout, _ => new SendMessage(account, target, body, contentType), cancellationToken);

    public Task<CommandResult> SendOptionsAsync(AccountId account, string? target = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => AskAsync<CommandResult>(target is null ? "Ping" : "SendOptions", account, timeout,
            _ => target is null ? new Ping(account) : new SendOptions(account, target), cancellationToken);

    public Task<ConnectionStateResult> GetStateAsync(AccountId account, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => AskAsync<ConnectionStateResult>("GetState", account, timeout, _ => new GetState(account), cancellationToken);

    public Task<CommandResult> PlaceCallAsync(AccountId account, string target, string? sdp = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        return AskAsync<CommandResult>("Call", account, timeout, _ => new Call(account, target, sdp), cancellationToken);
    }

    public Task<CommandResult> AnswerCallAsync(AccountId account, string callId, string? sdp = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(callId);
        return AskAsync<CommandResult>("Answer", account, timeout, _ => new Answer(account, callId, sdp), cancellationToken);
    }

    public Task<CommandResult> RejectCallAsync(AccountId account, string callId, int statusCode = 486, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(callId);
        return AskAsync<CommandResult>("Reject", account, timeout, _ => new Reject(account, callId, statusCode), cancellationToken);
    }

    public Task<CommandResult> HangUpCallAsync(AccountId account, string callId, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(callId);
        return AskAsync<CommandResult>("HangUp", account, timeout, _ => new HangUp(account, callId), cancellationToken);
    }

    public async Task<IReadOnlyList<CallSession>> GetCallsAsync(AccountId account, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => (await AskAsync<CallsResult>("GetCalls", account, timeout, _ => new GetCalls(account), cancellationToken).ConfigureAwait(false)).Calls;

    public Task<SupervisorStatus> GetStatusAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => AskAsync<SupervisorStatus>("GetStatus", null, timeout, _ => GetSupervisorStatus.Instance, cancellationToken);

    public async Task<IReadOnlyCollection<AccountId>> GetAccountsAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var runtime = await RuntimeAsync("GetAccounts", null, timeout, cancellationToken).ConfigureAwait(false);
        return [.. runtime.Parameters.Keys];
    }

    /// <summary>Asks the supervisor within one deadline that covers waiting for start-up too.</summary>
    private async Task<T> AskAsync<T>(string command, AccountId? account, TimeSpan? timeout, Func<HostedSipActors, object> message, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var runtime = await RuntimeAsync(command, account, timeout, cancellationToken).ConfigureAwait(false);
        var limit = timeout ?? runtime.Options.CommandTimeoutOrDefault;
        var remaining = limit - System.Diagnostics.Stopwatch.GetElapsedTime(started);
        var request = message(runtime);
        if (remaining <= TimeSpan.Zero)
        {
            throw Timeout(command, account, limit);
        }
        try
        {
            // GetSupervisorStatus names no account: it goes to this node's counts, the rest where the accounts are.
            var target = request is GetSupervisorStatus ? runtime.Status : runtime.Accounts;
            return await target.Ask<T>(request, remaining, cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            throw Timeout(command, account, limit);
        }
    }

    private async Task<HostedSipActors> RuntimeAsync(string command, AccountId? account, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var system = services.GetRequiredService<ActorSystem>();
        if (HostedSipActors.Find(system) is { } ready)
        {
            return ready;
        }
        // Still starting: wait for the supervisor's registration, bounded by the call's timeout.
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        try
        {
            await ActorRegistry.For(system).GetAsync<ConnectionSupervisor>(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{Describe(command, account)}: SipActors did not start within {Seconds(limit)} s (is WithSipActors() part of AddAkka?)");
        }
        return HostedSipActors.Find(system)
            ?? throw new InvalidOperationException("A ConnectionSupervisor is registered, but not by WithSipActors(): ISipAccounts needs WithSipActors().");
    }

    private static TimeoutException Timeout(string command, AccountId? account, TimeSpan limit)
        => new($"{Describe(command, account)} was not answered within {Seconds(limit)} s");

    private static string Describe(string command, AccountId? account) => account is { } a ? $"{command} for account '{a}'" : command;

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}
