using SipActors.Events;
using SipActors.Hosting.Events;

namespace SipActors.Sample;

/// <summary>
/// Logs every account event: the <c>connection:*</c> lifecycle and the <c>session:*</c> steps of
/// calls. Incoming MESSAGEs are already answered 200 by the account's actor, and incoming calls
/// handled by its <c>IncomingCalls</c> policy; here they are logged with sender and body, or with
/// how the call went.
/// </summary>
internal sealed class AccountEventLogger(ISipEvents events, ILogger<AccountEventLogger> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Subscribed before the first await, so before the actor system's hosted service connects the accounts.
        await using var subscription = events.Subscribe(ConnectionTopics.Everything);
        try
        {
            await foreach (var e in subscription.ReadAllAsync(stoppingToken))
            {
                Log(e);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    private void Log(AccountEvent e)
    {
        switch (e)
        {
            case NewRtcSession call:
                logger.LogInformation("{Account} {Originator} call {CallId} from {From} to {To}", e.Account, call.Originator, call.CallId, call.From, call.To);
                break;
            case SessionEnded ended:
                logger.LogInformation("{Account} call {CallId} ended: {Cause} ({Status} {Reason}, by {Originator})",
                    e.Account, ended.CallId, ended.Cause, ended.StatusCode, ended.Reason, ended.Originator);
                break;
            case NewMessage { Originator: "remote" } message:
                logger.LogInformation("{Account} received a MESSAGE from {From} ({ContentType}): {Body}", e.Account, message.From, message.ContentType, message.Body);
                break;
            case Registered registered:
                logger.LogInformation("{Account} registered (expires {Expires} s, contact {Contact})", e.Account, registered.Expires, registered.Contact);
                break;
            case RegistrationFailed or ConnectFailed:
                logger.LogWarning("{Topic} {Account}: {Event}", e.Topic, e.Account, e.ToJson());
                break;
            default:
                // The JSON form carries no password (AccountEvent.WritePayload).
                logger.LogInformation("{Topic} {Account}: {Event}", e.Topic, e.Account, e.ToJson());
                break;
        }
    }
}
