using System.Globalization;
using System.Text;

namespace SipActors.Sip.Headers;

/// <summary>
/// A From, To, Contact, Route, Record-Route, Path or Service-Route value as text: display name,
/// URI and header parameters (RFC 3261 §20.10). For hot paths read <see cref="NameAddressValue"/>.
/// </summary>
public sealed class SipNameAddress
{
    public SipNameAddress(string uri, string? displayName = null, IEnumerable<KeyValuePair<string, string?>>? parameters = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(uri);
        UriText = uri;
        DisplayName = string.IsNullOrEmpty(displayName) ? null : displayName;
        Parameters = parameters is null ? [] : [.. parameters];
    }

    private SipNameAddress()
    {
        UriText = "*";
        Parameters = [];
        IsWildcard = true;
    }

    /// <summary>The Contact wildcard <c>*</c> (only with Expires: 0 in a REGISTER).</summary>
    public static SipNameAddress Wildcard { get; } = new();

    /// <summary>Unquoted display name, or null.</summary>
    public string? DisplayName { get; }

    /// <summary>The URI as written between the brackets.</summary>
    public string UriText { get; }

    public IReadOnlyList<KeyValuePair<string, string?>> Parameters { get; }

    /// <summary>The URI parsed (once); a malformed one throws <see cref="SipParseException"/> with <see cref="SipParseError.InvalidUri"/>.</summary>
    public Uris.AddressUri Uri => IsWildcard
        ? throw new InvalidOperationException("The Contact wildcard has no URI.")
        : _uri ??= Uris.AddressUri.Parse(UriText);

    private Uris.AddressUri? _uri;

    public bool IsWildcard { get; }

    public string? Tag => GetParameter("tag");

    /// <summary>The <c>expires</c> parameter of a Contact, or null.</summary>
    public int? Expires => int.TryParse(GetParameter("expires"), NumberStyles.None, CultureInfo.InvariantCulture, out var e) ? e : null;

    public string? GetParameter(string name) => SipParameters.TryFind(Parameters, name, out var value) ? value : null;

    public bool HasParameter(string name) => SipParameters.TryFind(Parameters, name, out _);

    /// <summary>A copy with one parameter set (added, or replaced in place).</summary>
    public SipNameAddress WithParameter(string name, string? value)
    {
        var list = new List<KeyValuePair<string, string?>>(Parameters);
        var i = list.FindIndex(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase));
        if (i >= 0)
        {
            list[i] = new(name, value);
        }
        else
        {
            list.Add(new(name, value));
        }
        return new SipNameAddress(UriText, DisplayName, list);
    }

    /// <summary>Reads one value; a value that breaks the grammar is a <see cref="SipParseException"/>.</summary>
    public static SipNameAddress Parse(ReadOnlySpan<byte> value)
    {
        if (!NameAddressValue.TryParse(value, out var v))
        {
            throw SipParseException.Create(SipParseError.InvalidHeaderValue, 0, "not a name-addr or addr-spec (check quotes and <>)", value);
        }
        if (v.IsWildcard)
        {
            return Wildcard;
        }
        var display = v.DisplayName.IsEmpty ? null : SipParameters.Unquote(v.DisplayName);
        return new SipNameAddress(Encoding.UTF8.GetString(v.Uri), display, SipParameters.ToList(v.Parameters));
    }

    /// <summary>Wire form: always with angle brackets, so URI parameters never mix with header parameters.</summary>
    public override string ToString()
    {
        if (IsWildcard)
        {
            return "*";
        }
        // One builder per thread, reused: every account formats its From/To and Contact this way once per connect.
        var sb = t_builder ?? new StringBuilder(256);
        t_builder = null;
        sb.Clear();
        if (DisplayName is not null)
        {
            sb.Append('"');
            foreach (var c in DisplayName)
            {
                if (c is '"' or '\\')
                {
                    sb.Append('\\');
                }
                sb.Append(c);
            }
            sb.Append("\" ");
        }
        sb.Append('<').Append(UriText).Append('>');
        SipParameters.AppendTo(sb, Parameters);
        var text = sb.ToString();
        if (sb.Capacity <= 1024)
        {
            t_builder = sb; // a builder grown by an odd long value is not kept
        }
        return text;
    }

    [ThreadStatic]
    private static StringBuilder? t_builder;
}
