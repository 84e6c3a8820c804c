using SipActors.Events;
using SipActors.Hosting.Events;

namespace SipActors.Sample;

/// <summary>
/// Logs every <c>connection:*</c> event. Incoming MESSAGEs are already answered 200 by the account's
/// actor; here they are logged with sender and body.
/// </summary>
internal sealed class AccountEventLogger(ISipEvents events, ILogger<AccountEventLogger> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Subscribed before the first await, so before the actor system's hosted service connects the accounts.
        await using var subscription = events.Subscribe(ConnectionTopics.All);
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

    private void Log(ConnectionEvent e)
    {
        switch (e)
        {
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
                // The JSON form carries no password (ConnectionEvent.WritePayload).
                logger.LogInformation("{Topic} {Account}: {Event}", e.Topic, e.Account, e.ToJson());
                break;
        }
    }
}
