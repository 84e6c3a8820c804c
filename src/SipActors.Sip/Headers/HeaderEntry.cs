namespace SipActors.Sip.Headers;

/// <summary>
/// Where one header line's name and value sit in the collection's buffer. Offsets instead of
/// strings keep a parsed message at a handful of allocations however many headers it has.
/// </summary>
internal struct HeaderEntry
{
    public SipHeaderId Id;
    public int NameStart;
    /// <summary>0 for a header added by code with a known id: it is written with its canonical name.</summary>
    public int NameLength;
    public int ValueStart;
    public int ValueLength;
}
