namespace SipActors.Sip.Registrar;

/// <summary>How a REGISTER's Contacts were taken by the <see cref="LocationService"/> (RFC 3261 §10.3 steps 6-8).</summary>
internal enum BindingUpdateStatus
{
    /// <summary>Every Contact was applied; answer 200 with the bindings now held.</summary>
    Ok,

    /// <summary>A Contact asked for less than Min-Expires (and not 0): answer 423 with Min-Expires.</summary>
    IntervalTooBrief,

    /// <summary>Same Call-ID as a binding's, with a CSeq not above its own: answer 400 (a stale or replayed REGISTER).</summary>
    OutOfOrder,

    /// <summary>A <c>Contact: *</c> with a non-zero Expires or beside other Contacts: answer 400.</summary>
    InvalidWildcard,
}
