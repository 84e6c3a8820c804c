using System.Text;
using Akka.Actor;
using SipActors.Events;
using SipActors.Sip.Messaging;
using SipActors.Sip.UserAgents;

namespace SipActors.Connections;

/// <summary>
/// SendMessage, SendOptions and Ping on an account's flow: requests outside dialogs, each answered
/// to its requester with the outcome (CONTRACT.md §4). Nothing here changes the account's state.
/// </summary>
internal static class OutOfDialogCommands
{
    public static void SendMessage(SipUserAgent ua, AccountId account, SendMessage send, IActorRef requester, Akka.Event.EventStream events)
    {
        if (!OutOfDialogClient.IsValidTarget(send.Target, out var error) || string.IsNullOrWhiteSpace(send.ContentType))
        {
            requester.Tell(new CommandResult(account, CommandStatus.Failed, error ?? "ContentType is required"));
            return;
        }
        events.Publish(new NewMessage(account, DateTimeOffset.UtcNow, "local", ua.AddressOfRecord, send.Target, send.ContentType, send.Body));
        ua.SendMessageAsync(send.Target, Encoding.UTF8.GetBytes(send.Body), send.ContentType)
            .PipeTo(requester, success: o => ToResult(account, o), failure: e => Failed(account, e));
    }

    /// <summary>OPTIONS to <paramref name="target"/> (the account's own AOR for a Ping), bounded by <paramref name="timeout"/>.</summary>
    public static void SendOptions(SipUserAgent ua, AccountId account, string target, TimeSpan timeout, IActorRef requester)
    {
        if (!OutOfDialogClient.IsValidTarget(target, out var error))
        {
            requester.Tell(new CommandResult(account, CommandStatus.Failed, error));
            return;
        }
        OptionsWithTimeoutAsync(ua, target, timeout)
            .PipeTo(requester, success: o => ToResult(account, o), failure: e => Failed(account, e));
    }

    private static async Task<SipRequestOutcome> OptionsWithTimeoutAsync(SipUserAgent ua, string target, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        return await ua.SendOptionsAsync(target, cts.Token).ConfigureAwait(false);
    }

    private static CommandResult ToResult(AccountId account, SipRequestOutcome outcome)
        => new(account, outcome.Success ? CommandStatus.Ok : CommandStatus.Failed, outcome.Error) { StatusCode = outcome.StatusCode };

    private static CommandResult Failed(AccountId account, Exception e)
        => new(account, CommandStatus.Failed, (e is AggregateException { InnerException: { } inner } ? inner : e).Message);
}
