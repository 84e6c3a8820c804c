using SipActors.Connections;
using SipActors.Hosting;

namespace SipActors.Sample;

/// <summary>Logs the accounts per state every <c>Sample:StatusInterval</c> (30 s by default), through <see cref="ISipAccounts"/>.</summary>
internal sealed class StatusReporter(ISipAccounts accounts, IConfiguration configuration, ILogger<StatusReporter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = configuration.GetValue("Sample:StatusInterval", TimeSpan.FromSeconds(30));
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var status = await accounts.GetStatusAsync(TimeSpan.FromSeconds(5), stoppingToken);
                logger.LogInformation("{Accounts} accounts: {Registered} registered, {Connected} connected, {Connecting} connecting, {Disconnected} disconnected",
                    status.Accounts, status.Count(ConnectionStatus.Registered), status.Count(ConnectionStatus.Connected),
                    status.Count(ConnectionStatus.Connecting), status.Count(ConnectionStatus.Disconnected));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
        catch (TimeoutException e)
        {
            logger.LogWarning("Status not available: {Error}", e.Message);
        }
    }
}
