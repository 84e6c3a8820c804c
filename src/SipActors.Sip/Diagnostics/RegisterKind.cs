namespace SipActors.Sip.Diagnostics;

/// <summary>What a REGISTER was sent for, as <see cref="SipStackMetrics.RegisterRequests"/> counts it.</summary>
public enum RegisterKind
{
    /// <summary>The first REGISTER of a registration the registrar does not hold yet.</summary>
    Initial,

    /// <summary>A REGISTER sent again with credentials, answering a 401/407 challenge.</summary>
    Challenged,

    /// <summary>The first REGISTER of a refresh of a binding the registrar holds.</summary>
    Refresh,

    /// <summary>The first REGISTER with Expires: 0, removing the binding.</summary>
    Unregister,

    /// <summary>A REGISTER sent again after a 423 (with Min-Expires) or a 400.</summary>
    Retry,
}
