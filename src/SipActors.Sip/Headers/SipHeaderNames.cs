using System.Text;

namespace SipActors.Sip.Headers;

/// <summary>Canonical names, compact forms (RFC 3261 §7.3.3 and extensions) and list-ness of the known headers.</summary>
public static class SipHeaderNames
{
    private static readonly string[] Canonical = new string[(int)SipHeaderId.WwwAuthenticate + 1];
    private static readonly byte[][] CanonicalBytes = new byte[Canonical.Length][];
    private static readonly bool[] List = new bool[Canonical.Length];
    private static readonly SipHeaderId[] Compact = new SipHeaderId[26];

    // Grouped by length so a lookup compares against a handful of names at most.
    private static readonly (byte[] Name, SipHeaderId Id)[][] ByLength;

    static SipHeaderNames()
    {
        Define(SipHeaderId.Accept, "Accept", list: true);
        Define(SipHeaderId.AcceptContact, "Accept-Contact", list: true, compact: 'a');
        Define(SipHeaderId.AcceptEncoding, "Accept-Encoding", list: true);
        Define(SipHeaderId.AcceptLanguage, "Accept-Language", list: true);
        Define(SipHeaderId.AlertInfo, "Alert-Info", list: true);
        Define(SipHeaderId.Allow, "Allow", list: true);
        Define(SipHeaderId.AllowEvents, "Allow-Events", list: true, compact: 'u');
        Define(SipHeaderId.AuthenticationInfo, "Authentication-Info");
        Define(SipHeaderId.Authorization, "Authorization");
        Define(SipHeaderId.CallId, "Call-ID", compact: 'i');
        Define(SipHeaderId.CallInfo, "Call-Info", list: true);
        Define(SipHeaderId.Contact, "Contact", list: true, compact: 'm');
        Define(SipHeaderId.ContentDisposition, "Content-Disposition");
        Define(SipHeaderId.ContentEncoding, "Content-Encoding", list: true, compact: 'e');
        Define(SipHeaderId.ContentLanguage, "Content-Language", list: true);
        Define(SipHeaderId.ContentLength, "Content-Length", compact: 'l');
        Define(SipHeaderId.ContentType, "Content-Type", compact: 'c');
        Define(SipHeaderId.CSeq, "CSeq");
        Define(SipHeaderId.Date, "Date");
        Define(SipHeaderId.ErrorInfo, "Error-Info", list: true);
        Define(SipHeaderId.Event, "Event", compact: 'o');
        Define(SipHeaderId.Expires, "Expires");
        Define(SipHeaderId.From, "From", compact: 'f');
        Define(SipHeaderId.Identity, "Identity", compact: 'y');
        Define(SipHeaderId.IdentityInfo, "Identity-Info", compact: 'n');
        Define(SipHeaderId.InReplyTo, "In-Reply-To", list: true);
        Define(SipHeaderId.MaxForwards, "Max-Forwards");
        Define(SipHeaderId.MimeVersion, "MIME-Version");
        Define(SipHeaderId.MinExpires, "Min-Expires");
        Define(SipHeaderId.MinSE, "Min-SE");
        Define(SipHeaderId.Organization, "Organization");
        Define(SipHeaderId.Path, "Path", list: true);
        Define(SipHeaderId.Priority, "Priority");
        Define(SipHeaderId.ProxyAuthenticate, "Proxy-Authenticate");
        Define(SipHeaderId.ProxyAuthorization, "Proxy-Authorization");
        Define(SipHeaderId.ProxyRequire, "Proxy-Require", list: true);
        Define(SipHeaderId.RAck, "RAck");
        Define(SipHeaderId.RecordRoute, "Record-Route", list: true);
        Define(SipHeaderId.ReferTo, "Refer-To", compact: 'r');
        Define(SipHeaderId.ReferredBy, "Referred-By", compact: 'b');
        Define(SipHeaderId.RejectContact, "Reject-Contact", list: true, compact: 'j');
        Define(SipHeaderId.ReplyTo, "Reply-To");
        Define(SipHeaderId.RequestDisposition, "Request-Disposition", list: true, compact: 'd');
        Define(SipHeaderId.Require, "Require", list: true);
        Define(SipHeaderId.RetryAfter, "Retry-After");
        Define(SipHeaderId.Route, "Route", list: true);
        Define(SipHeaderId.RSeq, "RSeq");
        Define(SipHeaderId.Server, "Server");
        Define(SipHeaderId.ServiceRoute, "Service-Route", list: true);
        Define(SipHeaderId.SessionExpires, "Session-Expires", compact: 'x');
        Define(SipHeaderId.Subject, "Subject", compact: 's');
        Define(SipHeaderId.SubscriptionState, "Subscription-State");
        Define(SipHeaderId.Supported, "Supported", list: true, compact: 'k');
        Define(SipHeaderId.Timestamp, "Timestamp");
        Define(SipHeaderId.To, "To", compact: 't');
        Define(SipHeaderId.Unsupported, "Unsupported", list: true);
        Define(SipHeaderId.UserAgent, "User-Agent");
        Define(SipHeaderId.Via, "Via", list: true, compact: 'v');
        Define(SipHeaderId.Warning, "Warning", list: true);
        Define(SipHeaderId.WwwAuthenticate, "WWW-Authenticate");

        var maxLength = 0;
        foreach (var name in Canonical)
        {
            maxLength = Math.Max(maxLength, name?.Length ?? 0);
        }
        var groups = new List<(byte[], SipHeaderId)>[maxLength + 1];
        for (var id = 1; id < Canonical.Length; id++)
        {
            (groups[Canonical[id].Length] ??= []).Add((CanonicalBytes[id], (SipHeaderId)id));
        }
        ByLength = new (byte[], SipHeaderId)[maxLength + 1][];
        for (var length = 0; length <= maxLength; length++)
        {
            ByLength[length] = groups[length]?.ToArray() ?? [];
        }
    }

    private static void Define(SipHeaderId id, string name, bool list = false, char compact = '\0')
    {
        Canonical[(int)id] = name;
        CanonicalBytes[(int)id] = Encoding.ASCII.GetBytes(name);
        List[(int)id] = list;
        if (compact != '\0')
        {
            Compact[compact - 'a'] = id;
        }
    }

    /// <summary>The canonical (long) name of a known header.</summary>
    public static string GetName(SipHeaderId id)
        => id == SipHeaderId.Extension ? throw new ArgumentException("An extension header has no canonical name.", nameof(id)) : Canonical[(int)id];

    internal static ReadOnlySpan<byte> GetNameBytes(SipHeaderId id) => CanonicalBytes[(int)id];

    /// <summary>True for headers whose value is a comma-separated list (RFC 3261 §7.3.1), so several lines and commas are equivalent.</summary>
    public static bool IsList(SipHeaderId id) => List[(int)id];

    /// <summary>The known header with this name (long or compact form, any case), or <see cref="SipHeaderId.Extension"/>.</summary>
    public static SipHeaderId Lookup(ReadOnlySpan<byte> name)
    {
        if (name.Length == 1)
        {
            var c = (uint)((name[0] | 0x20) - 'a');
            return c < 26u ? Compact[c] : SipHeaderId.Extension;
        }
        if ((uint)name.Length >= (uint)ByLength.Length)
        {
            return SipHeaderId.Extension;
        }
        foreach (var (candidate, id) in ByLength[name.Length])
        {
            if (System.Text.Ascii.EqualsIgnoreCase(name, candidate))
            {
                return id;
            }
        }
        return SipHeaderId.Extension;
    }

    /// <summary>The known header with this name (long or compact form, any case), or <see cref="SipHeaderId.Extension"/>.</summary>
    public static SipHeaderId Lookup(string name)
    {
        Span<byte> buffer = stackalloc byte[64];
        if (name.Length > buffer.Length || !System.Text.Ascii.IsValid(name))
        {
            return SipHeaderId.Extension;
        }
        var written = Encoding.ASCII.GetBytes(name, buffer);
        return Lookup(buffer[..written]);
    }
}
