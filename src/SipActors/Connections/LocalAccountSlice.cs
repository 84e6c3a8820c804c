using Akka.Actor;

namespace SipActors.Connections;

/// <summary>
/// One slice of a <see cref="ConnectionSupervisor"/>'s accounts: the parent of the accounts whose
/// id hashes to it (<see cref="AccountMessageExtractor.SliceOf"/>), each named by its id. It exists
/// because Akka keeps a parent's children in an immutable map rebuilt on every child added: under
/// one parent that cost grows with the count (~1.8 KB of garbage per account at 10,000 children),
/// under ~1,000 parents of a few children each it stays small. The supervisor keeps everything
/// else (the gate, the last Connects, the status); a slice only creates, routes and stops.
/// </summary>
/// <remarks>An <see cref="UntypedActor"/>: a ReceiveActor builds its handler table per instance, and there are a thousand slices.</remarks>
internal sealed class LocalAccountSlice(Props accountProps) : UntypedActor
{
    public static Props Props(Props accountProps) => Akka.Actor.Props.Create<LocalAccountSlice>(accountProps);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Connect connect:
                ChildFor(connect.Account).Forward(connect);
                break;
            case RemoveAccount remove:
                OnRemove(remove);
                break;
            case ListSliceAccounts:
                Sender.Tell(new SliceAccounts(Context.GetChildren().ToList()));
                break;
            case IWithAccountId command:
                Route(command);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>What the supervisor did for its own children: a crashed account restarts (and reconnects); ten crashes a minute stop it.</summary>
    protected override SupervisorStrategy SupervisorStrategy()
        => new OneForOneStrategy(10, TimeSpan.FromMinutes(1), _ => Directive.Restart);

    private void Route(IWithAccountId message)
    {
        var child = Context.Child(message.Account.ToActorName());
        if (child.IsNobody())
        {
            // Only a Connect makes an account: an unknown id is answered, not created.
            Sender.Tell(ConnectionSupervisor.UnknownAccountAnswer(message));
            return;
        }
        child.Forward(message);
    }

    private IActorRef ChildFor(AccountId account)
    {
        var name = account.ToActorName();
        var child = Context.Child(name);
        // Not watched: each account tells the gate when it stops. A watch costs every account a
        // watcher set and two dictionaries (measured ~6% of the allocations of a ramp).
        return child.IsNobody() ? Context.ActorOf(accountProps, name) : child;
    }

    private void OnRemove(RemoveAccount message)
    {
        var child = Context.Child(message.Account.ToActorName());
        if (child.IsNobody())
        {
            Sender.Tell(new CommandResult(message.Account, CommandStatus.NoOp));
            return;
        }
        // The account disconnects in PostStop (un-REGISTER and close), then leaves.
        Context.Stop(child);
        Sender.Tell(new CommandResult(message.Account, CommandStatus.Ok));
    }
}
