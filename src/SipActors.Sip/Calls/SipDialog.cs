using System.Globalization;
using System.Text;
using SipActors.Sip.Headers;
using SipActors.Sip.Uris;

namespace SipActors.Sip.Calls;

/// <summary>
/// An INVITE dialog (RFC 3261 §12): Call-ID and both tags identify it; it keeps both parties'
/// From/To values, the remote target, the route set and both CSeq counters, builds our requests
/// inside it (§12.2.1.1) and checks the peer's (§12.2.2). Not thread-safe on its own: the call
/// that owns it serializes access.
/// </summary>
public sealed class SipDialog
{
    private readonly string[] _routeSet;

    private SipDialog(string callId, string localTag, string remoteTag, string localParty, string remoteParty,
        string remoteTarget, string[] routeSet, uint localCSeq, uint? remoteCSeq, bool isCaller)
    {
        CallId = callId;
        LocalTag = localTag;
        RemoteTag = remoteTag;
        LocalParty = localParty;
        RemoteParty = remoteParty;
        RemoteTarget = remoteTarget;
        _routeSet = routeSet;
        LocalCSeq = localCSeq;
        RemoteCSeq = remoteCSeq;
        IsCaller = isCaller;
    }

    public string CallId { get; }
    public string LocalTag { get; }
    public string RemoteTag { get; }

    /// <summary>Our From (as caller) or To (as callee) value, with our tag.</summary>
    public string LocalParty { get; }

    /// <summary>The peer's value, with its tag: the To of our requests.</summary>
    public string RemoteParty { get; }

    /// <summary>The peer's Contact URI: the Request-URI of our requests (refreshed by re-INVITE, §12.2).</summary>
    public string RemoteTarget { get; private set; }

    /// <summary>The Record-Route values our requests carry as Route, in the order they are sent.</summary>
    public IReadOnlyList<string> RouteSet => _routeSet;

    /// <summary>The CSeq of our last request in the dialog.</summary>
    public uint LocalCSeq { get; private set; }

    /// <summary>The CSeq of the peer's last request, or null before its first (a caller's dialog).</summary>
    public uint? RemoteCSeq { get; private set; }

    /// <summary>True for the dialog of the party that sent the INVITE.</summary>
    public bool IsCaller { get; }

    /// <summary>What the dialog table keys it by: Call-ID, local tag, remote tag.</summary>
    internal string Key => MakeKey(CallId, LocalTag, RemoteTag);

    internal static string MakeKey(string callId, string localTag, string remoteTag) => string.Concat(callId, "|", localTag, "|", remoteTag);

    /// <summary>
    /// The caller's dialog from a 2xx to its INVITE (§12.1.2): the route set is the 2xx's
    /// Record-Route reversed, the remote target its Contact. Null when the 2xx has no To tag.
    /// </summary>
    public static SipDialog? FromResponse(SipRequest invite, SipResponse response)
    {
        ArgumentNullException.ThrowIfNull(invite);
        ArgumentNullException.ThrowIfNull(response);
        var to = response.Headers.GetFirst(SipHeaderId.To);
        var from = invite.Headers.GetFirst(SipHeaderId.From);
        var remoteTag = response.To?.Tag;
        var localTag = invite.From?.Tag;
        if (to is null || from is null || string.IsNullOrEmpty(remoteTag) || string.IsNullOrEmpty(localTag) || invite.CallId is not { } callId)
        {
            return null;
        }
        var routes = ReadRecordRoutes(response);
        Array.Reverse(routes);
        var target = FirstContactUri(response) ?? response.To!.UriText;
        return new SipDialog(callId, localTag, remoteTag, from, to, target, routes, invite.CSeq?.Number ?? 1, null, isCaller: true);
    }

    /// <summary>
    /// The callee's dialog from the INVITE it answers with a 2xx (§12.1.1): the route set is the
    /// INVITE's Record-Route in order, the remote target its Contact, our tag <paramref name="localTag"/>.
    /// Null when the INVITE's From has no tag (RFC 2543 peers are not served).
    /// </summary>
    public static SipDialog? FromRequest(SipRequest invite, string localTag, uint localCSeq = 1)
    {
        ArgumentNullException.ThrowIfNull(invite);
        ArgumentException.ThrowIfNullOrEmpty(localTag);
        var to = invite.Headers.GetFirst(SipHeaderId.To);
        var from = invite.Headers.GetFirst(SipHeaderId.From);
        var remoteTag = invite.From?.Tag;
        if (to is null || from is null || string.IsNullOrEmpty(remoteTag) || invite.CallId is not { } callId)
        {
            return null;
        }
        var target = FirstContactUri(invite) ?? invite.From!.UriText;
        return new SipDialog(callId, localTag, remoteTag, to + ";tag=" + localTag, from, target, ReadRecordRoutes(invite),
            localCSeq, invite.CSeq?.Number, isCaller: false);
    }

    /// <summary>
    /// A request in the dialog (§12.2.1.1): Request-URI and Route from the remote target and route
    /// set (strict routing when the first route has no <c>lr</c>), From/To/Call-ID from the dialog,
    /// the next local CSeq, a new branch under <paramref name="viaPrefix"/> (<c>SIP/2.0/UDP host:port</c>).
    /// </summary>
    public SipRequest CreateRequest(SipMethod method, string viaPrefix)
    {
        if (method is SipMethod.Ack or SipMethod.Cancel)
        {
            throw new ArgumentException($"{method.ToName()} reuses its INVITE's CSeq: use CreateAck, or the INVITE transaction's CANCEL.", nameof(method));
        }
        LocalCSeq++;
        return Build(method, viaPrefix, LocalCSeq);
    }

    /// <summary>The ACK for a 2xx to the INVITE numbered <paramref name="inviteCSeq"/> (§13.2.2.4): same CSeq number, a new branch; sent end to end, not in a transaction.</summary>
    public SipRequest CreateAck(uint inviteCSeq, string viaPrefix) => Build(SipMethod.Ack, viaPrefix, inviteCSeq);

    private SipRequest Build(SipMethod method, string viaPrefix, uint cseq)
    {
        ArgumentException.ThrowIfNullOrEmpty(viaPrefix);
        string requestUri = RemoteTarget;
        var routes = _routeSet.AsSpan();
        var strict = false;
        if (!routes.IsEmpty && !IsLooseRoute(routes[0]))
        {
            // §12.2.1.1: a strict router takes the Request-URI; the remote target goes last in Route.
            requestUri = SipNameAddress.Parse(Encoding.UTF8.GetBytes(routes[0])).UriText;
            routes = routes[1..];
            strict = true;
        }
        var request = new SipRequest(method, requestUri);
        var h = request.Headers;
        h.Add(SipHeaderId.Via, SipVia.NewTop(viaPrefix));
        h.Add(SipHeaderId.MaxForwards, "70");
        foreach (var route in routes)
        {
            h.Add(SipHeaderId.Route, route);
        }
        if (strict)
        {
            h.Add(SipHeaderId.Route, "<" + RemoteTarget + ">");
        }
        h.Add(SipHeaderId.From, LocalParty);
        h.Add(SipHeaderId.To, RemoteParty);
        h.Add(SipHeaderId.CallId, CallId);
        h.Add(SipHeaderId.CSeq, string.Create(CultureInfo.InvariantCulture, $"{cseq} {method.ToName()}"));
        return request;
    }

    /// <summary>
    /// §12.2.2: the peer's CSeq must grow. 0 when <paramref name="request"/> may be processed (its
    /// CSeq is then remembered), 500 when it is out of order. ACK and CANCEL reuse the INVITE's number and are not checked.
    /// </summary>
    public int CheckRemoteCSeq(SipRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Method is SipMethod.Ack or SipMethod.Cancel)
        {
            return 0;
        }
        var number = request.CSeq?.Number ?? 0;
        if (RemoteCSeq is { } last && number <= last)
        {
            return 500;
        }
        RemoteCSeq = number;
        return 0;
    }

    /// <summary>A target refresh (re-INVITE or its 2xx, §12.2): the peer's Contact becomes the remote target.</summary>
    public void RefreshTarget(SipMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (FirstContactUri(message) is { } uri)
        {
            RemoteTarget = uri;
        }
    }

    /// <summary>True when <paramref name="request"/> carries this dialog's Call-ID and tags, seen from our side.</summary>
    public bool Matches(SipRequest request)
        => request.CallId == CallId && request.To?.Tag == LocalTag && request.From?.Tag == RemoteTag;

    private static string[] ReadRecordRoutes(SipMessage message)
    {
        List<string>? routes = null;
        foreach (var value in message.Headers.EnumerateValues(SipHeaderId.RecordRoute))
        {
            (routes ??= []).Add(Encoding.UTF8.GetString(value).Trim());
        }
        return routes is null ? [] : [.. routes];
    }

    private static string? FirstContactUri(SipMessage message)
    {
        foreach (var value in message.Headers.EnumerateValues(SipHeaderId.Contact))
        {
            return NameAddressValue.TryParse(value, out var contact) && !contact.IsWildcard ? Encoding.UTF8.GetString(contact.Uri) : null;
        }
        return null;
    }

    private static bool IsLooseRoute(string route)
        => NameAddressValue.TryParse(Encoding.UTF8.GetBytes(route), out var value)
           && SipUri.TryParse(Encoding.UTF8.GetString(value.Uri), out var uri) && uri.LooseRouting;

    public override string ToString() => $"dialog {CallId} local {LocalTag} remote {RemoteTag} target {RemoteTarget}";
}
