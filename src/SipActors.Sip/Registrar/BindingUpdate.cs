namespace SipActors.Sip.Registrar;

/// <summary>
/// The result of applying one REGISTER to an address of record: its status and, when
/// <see cref="BindingUpdateStatus.Ok"/>, every live binding of the address with the seconds it
/// has left (the Contacts of the 200, RFC 3261 §10.3 step 8).
/// </summary>
internal readonly record struct BindingUpdate(BindingUpdateStatus Status, IReadOnlyList<(RegistrarBinding Binding, int Expires)> Bindings)
{
    public static BindingUpdate Failed(BindingUpdateStatus status) => new(status, []);
}
