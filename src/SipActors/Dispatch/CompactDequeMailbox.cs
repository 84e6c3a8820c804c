using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace SipActors.Dispatch;

/// <summary>
/// The mailbox of every account under a <see cref="Connections.ConnectionSupervisor"/>
/// (<see cref="Id"/>): a <see cref="CompactDequeMessageQueue"/>, which supports the stash.
/// </summary>
public sealed class CompactDequeMailbox : MailboxType, IProducesMessageQueue<CompactDequeMessageQueue>
{
    /// <summary>The mailbox id the supervisor gives its accounts.</summary>
    public const string Id = "sip-actors.account-mailbox";

    /// <summary>The mailbox's definition, added to a system's configuration as a fallback when missing.</summary>
    public static Config Definition { get; } = ConfigurationFactory.ParseString(
        $"sip-actors.account-mailbox.mailbox-type = \"{typeof(CompactDequeMailbox).AssemblyQualifiedName}\"");

    public CompactDequeMailbox(Settings settings, Config config)
        : base(settings, config)
    {
    }

    public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new CompactDequeMessageQueue();
}
