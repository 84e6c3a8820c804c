using Akka.Actor;
using SipActors.Calls;
using SipActors.Connections;
using SipActors.Sip.UserAgents;

namespace SipActors.IntegrationTests.Peers;

/// <summary>ConnectionActors registered on the test Kamailio, as the actor-level specs need them.</summary>
internal static class KamailioAccounts
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    /// <summary>Starts an account named after <paramref name="user"/> (password <c>pw-user</c>, the fixture's rule) and waits until it is registered.</summary>
    public static async Task<IActorRef> RegisterAsync(ActorSystem system, SipStack stack, KamailioFixture kamailio, string user, string? url = null,
        IncomingCallPolicy policy = IncomingCallPolicy.Ring)
    {
        var account = system.ActorOf(ConnectionActor.Props(user, stack), user);
        var result = await account.Ask<CommandResult>(new Connect(user, new ConnectionParameters
        {
            SipServerIp = kamailio.Domain,
            SipServerUrl = url ?? $"udp://127.0.0.1:{kamailio.UdpPort}",
            Register = true,
            User = user,
            Password = "pw-" + user,
            IncomingCalls = policy,
        }), Wait);
        Assert.True(result.IsSuccess, $"{result.Error}\n{kamailio.LogTail()}");
        return account;
    }
}
