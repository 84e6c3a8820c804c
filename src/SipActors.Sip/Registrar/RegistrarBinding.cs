namespace SipActors.Sip.Registrar;

/// <summary>One Contact bound to an address of record.</summary>
public sealed record RegistrarBinding(string User, string Contact, string ContactUri, string CallId, uint CSeq, DateTimeOffset ExpiresAt, string? Instance, string? RegId);
