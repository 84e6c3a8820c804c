using Akka.Actor;

namespace SipActors.Connections;

/// <summary>
/// One <see cref="DisconnectAll"/>: Disconnects handed out with at most a bounded number
/// unanswered, like connects. Ten thousand un-REGISTERs sent at once overflow the server's socket
/// (measured against Kamailio: thousands dropped, each costing a 500 ms retransmission); paced,
/// they go through as fast as the server answers. The accounts are first gathered from the
/// supervisor's slices (each lists its children); replies to the requester once every account
/// answered, then stops.
/// </summary>
internal sealed class DisconnectAllRun : ReceiveActor
{
    private readonly Queue<IActorRef> _pending = new();
    private readonly IActorRef _replyTo;
    private readonly int _maxInFlight;
    private int _slicesToHear;
    private int _outstanding;
    private int _failed;

    public DisconnectAllRun(IReadOnlyCollection<IActorRef> slices, int maxInFlight, IActorRef replyTo, TimeSpan silenceTimeout)
    {
        _replyTo = replyTo;
        _maxInFlight = Math.Max(1, maxInFlight);
        _slicesToHear = slices.Count;
        Receive<SliceAccounts>(listed =>
        {
            foreach (var account in listed.Accounts)
            {
                _pending.Enqueue(account);
            }
            if (--_slicesToHear == 0)
            {
                Start();
            }
        });
        Receive<CommandResult>(result =>
        {
            _outstanding--;
            if (!result.IsSuccess)
            {
                _failed++;
            }
            SendNext();
        });
        Receive<ReceiveTimeout>(_ => Finish(_slicesToHear > 0
            ? $"{_slicesToHear} account slices did not list their accounts within {silenceTimeout.TotalSeconds:0} s"
            : $"{_outstanding + _pending.Count} accounts did not answer their Disconnect within {silenceTimeout.TotalSeconds:0} s"));
        Context.SetReceiveTimeout(silenceTimeout);
        if (_slicesToHear == 0)
        {
            Start();
            return;
        }
        foreach (var slice in slices)
        {
            slice.Tell(ListSliceAccounts.Instance);
        }
    }

    public static Props Props(IReadOnlyCollection<IActorRef> slices, int maxInFlight, IActorRef replyTo, TimeSpan silenceTimeout)
        => Akka.Actor.Props.Create(() => new DisconnectAllRun(slices, maxInFlight, replyTo, silenceTimeout));

    private void Start()
    {
        for (var i = 0; i < _maxInFlight; i++)
        {
            SendNext();
        }
        if (_outstanding == 0)
        {
            Finish(null);
        }
    }

    private void SendNext()
    {
        if (_pending.TryDequeue(out var account))
        {
            _outstanding++;
            account.Tell(new Disconnect(AccountId.FromActorName(account.Path.Name)));
            return;
        }
        if (_outstanding == 0)
        {
            Finish(null);
        }
    }

    private void Finish(string? error)
    {
        var status = error is null && _failed == 0 ? CommandStatus.Ok : CommandStatus.Failed;
        _replyTo.Tell(new CommandResult(new AccountId("*"), status,
            error ?? (_failed > 0 ? $"{_failed} accounts failed to disconnect cleanly" : null)));
        Context.Stop(Self);
    }
}
