namespace SipActors.Connections;

/// <summary>Asks a <see cref="LocalAccountSlice"/> for its accounts (a <see cref="DisconnectAll"/> gathers them from every slice).</summary>
internal sealed class ListSliceAccounts
{
    public static readonly ListSliceAccounts Instance = new();
    private ListSliceAccounts() { }
}
