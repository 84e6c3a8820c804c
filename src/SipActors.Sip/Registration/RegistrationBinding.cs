namespace SipActors.Sip.Registration;

/// <summary>
/// What a registrar knows a binding by, saved so that another process can carry the same
/// registration on (RFC 3261 §10.2.4: one Call-ID per boot of a UA, CSeq increasing within it):
/// its Call-ID, the CSeq of the REGISTER it was granted on, and the Contact URI bound. A client that
/// continues from it sends the next CSeq on the same Call-ID and removes this Contact with
/// <c>expires=0</c> when its own differs, so the registrar keeps no binding to a flow that is gone.
/// </summary>
public sealed record RegistrationBinding(string CallId, uint CSeq, string ContactUri);
