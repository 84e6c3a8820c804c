using System.Buffers;
using System.Collections;
using System.Text;
using SipActors.Sip.Parsing;

namespace SipActors.Sip.Headers;

/// <summary>
/// The ordered header fields of one message. Names and values live in one byte buffer (the parsed
/// message itself, plus whatever code appends), so reading a header as a span allocates nothing;
/// string accessors allocate only what they return.
/// </summary>
public sealed class SipHeaderCollection : IReadOnlyList<SipHeader>
{
    private byte[] _buffer;
    private int _used;
    private HeaderEntry[] _entries;
    private int _count;
    private bool _bufferRented;  // the pool's, given back by ReturnToPool
    private bool _entriesRented; // likewise
    private bool _parsed;        // the buffer holds a parsed message: spans into it are out, so growth never gives it back

    /// <summary>An empty collection for a message built by code.</summary>
    public SipHeaderCollection()
    {
        // A REGISTER with credentials needs about 900 bytes; starting there spares the copies of growing.
        _buffer = new byte[1024];
        _entries = new HeaderEntry[12];
    }

    private SipHeaderCollection(byte[] buffer, HeaderEntry[] entries, int used, bool parsed)
    {
        _buffer = buffer;
        _entries = entries;
        _used = used;
        _parsed = parsed;
        _bufferRented = _entriesRented = true;
    }

    /// <summary>
    /// An empty collection whose arrays come from the shared pools, for a request that is
    /// serialized once and dropped (a REGISTER: its transaction keeps the bytes, not the
    /// message). The owner gives them back with <see cref="ReturnToPool"/> once serialized; spans
    /// of the values do not outlive that, nor a growth of the collection.
    /// </summary>
    internal static SipHeaderCollection Rent() => new(ArrayPool<byte>.Shared.Rent(2048), ArrayPool<HeaderEntry>.Shared.Rent(16), 0, parsed: false);

    /// <summary>A collection over a parsed message's bytes in <paramref name="rentedBuffer"/> (the pool's), its entries rented too; see <see cref="Rent"/>.</summary>
    internal static SipHeaderCollection RentForParse(byte[] rentedBuffer, int used)
        => new(rentedBuffer, ArrayPool<HeaderEntry>.Shared.Rent(16), used, parsed: true);

    /// <summary>Gives a rented collection's arrays back, leaving it empty; nothing for one that was not rented.</summary>
    internal void ReturnToPool()
    {
        if (_bufferRented)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }
        if (_entriesRented)
        {
            ArrayPool<HeaderEntry>.Shared.Return(_entries);
        }
        if (_bufferRented || _entriesRented)
        {
            (_buffer, _entries, _used, _count) = ([], [], 0, 0);
            _bufferRented = _entriesRented = false;
        }
    }

    /// <summary>A collection over a parsed message's bytes; entries are added by the parser.</summary>
    internal SipHeaderCollection(byte[] buffer, int used)
    {
        _buffer = buffer;
        _used = used;
        _entries = new HeaderEntry[16];
    }

    /// <summary>Number of header lines.</summary>
    public int Count => _count;

    /// <summary>The header line at <paramref name="index"/>, as text.</summary>
    public SipHeader this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
            return new SipHeader(_entries[index].Id, GetName(index), Encoding.UTF8.GetString(GetValueSpan(index)));
        }
    }

    /// <summary>The bytes the entries point into (a parsed message's body too).</summary>
    internal byte[] Buffer => _buffer;

    internal SipHeaderId GetId(int index) => _entries[index].Id;

    internal ReadOnlySpan<byte> GetValueSpan(int index)
    {
        ref readonly var e = ref _entries[index];
        return _buffer.AsSpan(e.ValueStart, e.ValueLength);
    }

    internal ReadOnlySpan<byte> GetNameSpan(int index)
    {
        ref readonly var e = ref _entries[index];
        return e.NameLength == 0 ? SipHeaderNames.GetNameBytes(e.Id) : _buffer.AsSpan(e.NameStart, e.NameLength);
    }

    /// <summary>The name of the line at <paramref name="index"/> as written (canonical for lines added by id).</summary>
    public string GetName(int index)
    {
        ref readonly var e = ref _entries[index];
        if (e.NameLength == 0)
        {
            return SipHeaderNames.GetName(e.Id);
        }
        var name = _buffer.AsSpan(e.NameStart, e.NameLength);
        // Spelled exactly as the canonical name: reuse the cached string.
        return e.Id != SipHeaderId.Extension && name.SequenceEqual(SipHeaderNames.GetNameBytes(e.Id))
            ? SipHeaderNames.GetName(e.Id)
            : Encoding.ASCII.GetString(name);
    }

    internal void AddParsed(SipHeaderId id, int nameStart, int nameLength, int valueStart, int valueLength)
    {
        if (_count == _entries.Length)
        {
            GrowEntries();
        }
        _entries[_count++] = new HeaderEntry
        {
            Id = id, NameStart = nameStart, NameLength = nameLength, ValueStart = valueStart, ValueLength = valueLength,
        };
    }

    /// <summary>Appends a known header line.</summary>
    public void Add(SipHeaderId id, string value) => Insert(_count, id, value);

    /// <summary>Appends a known header line from text built on the stack (no string for it).</summary>
    internal void Add(SipHeaderId id, ReadOnlySpan<char> value)
    {
        RequireKnown(id);
        var start = AppendValue(value, out var length);
        InsertEntry(_count, new HeaderEntry { Id = id, ValueStart = start, ValueLength = length });
    }

    /// <summary>Appends a known header line from UTF-8 bytes.</summary>
    public void Add(SipHeaderId id, ReadOnlySpan<byte> value)
    {
        RequireKnown(id);
        var entry = new HeaderEntry { Id = id, ValueStart = Append(value), ValueLength = value.Length };
        InsertEntry(_count, entry);
    }

    /// <summary>Appends a header line by name; a known name (long or compact) gets its id.</summary>
    public void Add(string name, string value)
    {
        ValidateName(name);
        var id = SipHeaderNames.Lookup(name);
        var nameStart = AppendValue(name, out var nameLength);
        var valueStart = AppendValue(value, out var valueLength);
        InsertEntry(_count, new HeaderEntry
        {
            Id = id, NameStart = nameStart, NameLength = nameLength, ValueStart = valueStart, ValueLength = valueLength,
        });
    }

    /// <summary>Inserts a known header line at <paramref name="index"/> (0 puts a Via on top).</summary>
    public void Insert(int index, SipHeaderId id, string value)
    {
        RequireKnown(id);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)index, (uint)_count, nameof(index));
        var start = AppendValue(value, out var length);
        InsertEntry(index, new HeaderEntry { Id = id, ValueStart = start, ValueLength = length });
    }

    /// <summary>Replaces every line of <paramref name="id"/> with one line holding <paramref name="value"/>, kept where the first was.</summary>
    public void Set(SipHeaderId id, string value)
    {
        RequireKnown(id);
        var first = IndexOf(id);
        if (first < 0)
        {
            Add(id, value);
            return;
        }
        var start = AppendValue(value, out var length);
        _entries[first] = new HeaderEntry { Id = id, ValueStart = start, ValueLength = length };
        RemoveAll(id, first + 1);
    }

    /// <summary>Removes every line of <paramref name="id"/>; true when there was one.</summary>
    public bool Remove(SipHeaderId id) => RemoveAll(id, 0) > 0;

    /// <summary>Removes every line with this name (any case, compact forms included).</summary>
    public bool Remove(string name)
    {
        var id = SipHeaderNames.Lookup(name);
        if (id != SipHeaderId.Extension)
        {
            return Remove(id);
        }
        var removed = false;
        for (var i = _count - 1; i >= 0; i--)
        {
            if (IsExtensionNamed(i, name))
            {
                RemoveAt(i);
                removed = true;
            }
        }
        return removed;
    }

    /// <summary>Removes the line at <paramref name="index"/>.</summary>
    public void RemoveAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
        Array.Copy(_entries, index + 1, _entries, index, _count - index - 1);
        _count--;
    }

    /// <summary>Index of the first line of <paramref name="id"/>, or -1.</summary>
    public int IndexOf(SipHeaderId id)
    {
        for (var i = 0; i < _count; i++)
        {
            if (_entries[i].Id == id)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>True when at least one line of <paramref name="id"/> is present.</summary>
    public bool Contains(SipHeaderId id) => IndexOf(id) >= 0;

    /// <summary>Number of lines of <paramref name="id"/> (not of comma-separated values).</summary>
    public int CountLines(SipHeaderId id)
    {
        var n = 0;
        for (var i = 0; i < _count; i++)
        {
            if (_entries[i].Id == id)
            {
                n++;
            }
        }
        return n;
    }

    /// <summary>The raw value of the first line of <paramref name="id"/>, without allocating.</summary>
    public bool TryGetValue(SipHeaderId id, out ReadOnlySpan<byte> value)
    {
        var i = IndexOf(id);
        if (i < 0)
        {
            value = default;
            return false;
        }
        value = GetValueSpan(i);
        return true;
    }

    /// <summary>The value of the first line of <paramref name="id"/>, or null.</summary>
    public string? GetFirst(SipHeaderId id)
        => TryGetValue(id, out var value) ? Encoding.UTF8.GetString(value) : null;

    /// <summary>The value of the first line with this name (any case, compact forms included), or null.</summary>
    public string? GetFirst(string name)
    {
        var values = GetValues(name);
        return values.Count > 0 ? values[0] : null;
    }

    /// <summary>
    /// Every value of <paramref name="id"/> in order: a list header's lines are split at top-level
    /// commas (never inside quotes or angle brackets); any other header gives one value per line.
    /// </summary>
    public IReadOnlyList<string> GetValues(SipHeaderId id)
    {
        List<string>? values = null;
        foreach (var value in EnumerateValues(id))
        {
            (values ??= []).Add(Encoding.UTF8.GetString(value));
        }
        return values ?? (IReadOnlyList<string>)[];
    }

    /// <summary>Every value of the header with this name (any case, compact forms included).</summary>
    public IReadOnlyList<string> GetValues(string name)
    {
        var id = SipHeaderNames.Lookup(name);
        if (id != SipHeaderId.Extension)
        {
            return GetValues(id);
        }
        List<string>? values = null;
        for (var i = 0; i < _count; i++)
        {
            if (IsExtensionNamed(i, name))
            {
                (values ??= []).Add(Encoding.UTF8.GetString(GetValueSpan(i)));
            }
        }
        return values ?? (IReadOnlyList<string>)[];
    }

    /// <summary>The values of <paramref name="id"/> as spans into the message, without allocating.</summary>
    public SipHeaderValueEnumerator EnumerateValues(SipHeaderId id) => new(this, id);

    public IEnumerator<SipHeader> GetEnumerator()
    {
        for (var i = 0; i < _count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>True when both hold the same lines in the same order, Content-Length aside (it follows from the body).</summary>
    internal bool ContentEquals(SipHeaderCollection other)
    {
        int i = 0, j = 0;
        while (true)
        {
            while (i < _count && _entries[i].Id == SipHeaderId.ContentLength)
            {
                i++;
            }
            while (j < other._count && other._entries[j].Id == SipHeaderId.ContentLength)
            {
                j++;
            }
            if (i == _count || j == other._count)
            {
                return i == _count && j == other._count;
            }
            if (_entries[i].Id != other._entries[j].Id
                || (_entries[i].Id == SipHeaderId.Extension && !Ascii.EqualsIgnoreCase(GetNameSpan(i), other.GetNameSpan(j)))
                || !GetValueSpan(i).SequenceEqual(other.GetValueSpan(j)))
            {
                return false;
            }
            i++;
            j++;
        }
    }

    private bool IsExtensionNamed(int index, string name)
    {
        if (_entries[index].Id != SipHeaderId.Extension)
        {
            return false;
        }
        var bytes = GetNameSpan(index);
        if (bytes.Length != name.Length)
        {
            return false;
        }
        for (var k = 0; k < bytes.Length; k++)
        {
            if (char.ToLowerInvariant((char)bytes[k]) != char.ToLowerInvariant(name[k]))
            {
                return false;
            }
        }
        return true;
    }

    private int RemoveAll(SipHeaderId id, int from)
    {
        var removed = 0;
        for (var i = _count - 1; i >= from; i--)
        {
            if (_entries[i].Id == id)
            {
                RemoveAt(i);
                removed++;
            }
        }
        return removed;
    }

    private void InsertEntry(int index, HeaderEntry entry)
    {
        if (_count == _entries.Length)
        {
            GrowEntries();
        }
        Array.Copy(_entries, index, _entries, index + 1, _count - index);
        _entries[index] = entry;
        _count++;
    }

    private void GrowEntries()
    {
        if (_entriesRented)
        {
            var grown = ArrayPool<HeaderEntry>.Shared.Rent(Math.Max(16, _count * 2));
            _entries.AsSpan(0, _count).CopyTo(grown);
            ArrayPool<HeaderEntry>.Shared.Return(_entries);
            _entries = grown;
        }
        else
        {
            Array.Resize(ref _entries, Math.Max(4, _count * 2));
        }
    }

    private int Append(ReadOnlySpan<byte> bytes)
    {
        var start = Reserve(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(start));
        return start;
    }

    /// <summary>Encodes a value (trimmed of spaces and tabs) straight into the buffer, with no intermediate array.</summary>
    private int AppendValue(string value, out int length)
    {
        ArgumentNullException.ThrowIfNull(value);
        return AppendValue(value.AsSpan(), out length);
    }

    private int AppendValue(ReadOnlySpan<char> value, out int length)
    {
        var text = value.Trim(" \t");
        if (text.IndexOfAny('\r', '\n') >= 0)
        {
            // A line break in a value would let a caller inject headers or a body.
            throw new ArgumentException("A header value must not contain CR or LF.", nameof(value));
        }
        length = Encoding.UTF8.GetByteCount(text);
        var start = Reserve(length);
        Encoding.UTF8.GetBytes(text, _buffer.AsSpan(start, length));
        return start;
    }

    private int Reserve(int length)
    {
        if (_used + length > _buffer.Length)
        {
            // Never write over a parsed message's bytes in place: grow into a new buffer; spans
            // handed out earlier keep pointing at the old one, which stays valid.
            var size = Math.Max(_buffer.Length * 2, _used + length);
            // A built message's rented buffer is swapped for a bigger one; a parsed one's is left
            // to the spans that point into it (never back to the pool) and the new one is our own.
            var giveBack = _bufferRented && !_parsed;
            _bufferRented = giveBack;
            var grown = giveBack ? ArrayPool<byte>.Shared.Rent(size) : new byte[size];
            _buffer.AsSpan(0, _used).CopyTo(grown);
            if (giveBack)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
            }
            _buffer = grown;
        }
        var start = _used;
        _used += length;
        return start;
    }

    private static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        foreach (var c in name)
        {
            if (c > 0x7F || !SipSyntax.Token.Contains((byte)c))
            {
                throw new ArgumentException($"'{name}' is not a valid header name (RFC 3261 token).", nameof(name));
            }
        }
    }

    private static void RequireKnown(SipHeaderId id)
    {
        if (id == SipHeaderId.Extension || (uint)id > (uint)SipHeaderId.WwwAuthenticate)
        {
            throw new ArgumentException("Use Add(name, value) for an extension header.", nameof(id));
        }
    }
}
