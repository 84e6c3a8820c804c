using System.Net;
using SipActors.Sip.Registrar;

namespace SipActors.Sample;

/// <summary>
/// Runs SipActors' in-process registrar on loopback when <c>Sample:EmbeddedRegistrar</c> names an
/// endpoint (127.0.0.1:5070 in appsettings.json), so the sample registers its accounts on a fresh
/// machine without sending a packet anywhere else. Set it to "" to use a real server instead.
/// </summary>
internal sealed class EmbeddedRegistrarService(IConfiguration configuration, ILogger<EmbeddedRegistrarService> logger) : IHostedService, IAsyncDisposable
{
    private EmbeddedRegistrar? _registrar;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var endpoint = configuration["Sample:EmbeddedRegistrar"];
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            logger.LogInformation("No embedded registrar (Sample:EmbeddedRegistrar is empty): the accounts use the servers in SipActors:Accounts");
            return Task.CompletedTask;
        }
        if (!IPEndPoint.TryParse(endpoint, out var udp) || !IPAddress.IsLoopback(udp.Address))
        {
            throw new InvalidOperationException($"Sample:EmbeddedRegistrar: '{endpoint}' is not a loopback address:port");
        }
        _registrar = EmbeddedRegistrar.Start(new EmbeddedRegistrarOptions { UdpEndPoint = udp });
        logger.LogInformation("Embedded registrar on udp://{EndPoint} (realm {Realm}; password of each user is \"pw-\" + user)", _registrar.UdpEndPoint, _registrar.Realm);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_registrar is { } registrar)
        {
            logger.LogInformation("Embedded registrar stopping with {Users} registered users", registrar.RegisteredUsers);
            await registrar.DisposeAsync();
            _registrar = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_registrar is { } registrar)
        {
            await registrar.DisposeAsync();
        }
    }
}
