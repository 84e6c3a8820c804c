namespace SipActors.Sip.Transports;

/// <summary>What a <see cref="ConnectionGuard"/> reads of an accepted connection, and how it ends one.</summary>
internal interface IGuardedConnection
{
    /// <summary>Reads that returned bytes so far: it stops moving while the peer is silent.</summary>
    long ReadCount { get; }

    /// <summary>A mark of the message still unfinished (the same value while it is the same message), 0 between messages.</summary>
    long UnfinishedMessageSince { get; }

    /// <summary>Closes the connection at once (the peer gets no answer); must not block.</summary>
    void Abort();
}
