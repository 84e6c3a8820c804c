using System.Globalization;
using SipActors.Events;

namespace SipActors.Cli.Run;

/// <summary>One event as <c>HH:mm:ss.fff topic account summary</c>: a few fields per event type, never a password.</summary>
internal static class EventLine
{
    public static string Format(AccountEvent e)
    {
        var summary = Summary(e);
        var time = e.Time.ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
        return summary.Length == 0 ? $"{time} {e.Topic} {e.Account}" : $"{time} {e.Topic} {e.Account} {summary}";
    }

    public static string Summary(AccountEvent e) => e switch
    {
        ConnectStarted => "",
        ConnectParametersResolveSucceeded r => $"user {r.Parameters.User ?? "(random)"} server {r.Parameters.SipServerUrl} register {(r.Parameters.Register ? "yes" : "no")}",
        ConnectParametersResolveFailed f => f.Error,
        Connecting c => Invariant($"attempt {c.Attempt} {c.TransportUri}"),
        ConnectedWithConfiguration c => $"contact {c.Configuration.Contact}",
        Connected c => $"{c.TransportUri} local {c.LocalEndPoint ?? "-"}",
        Registered r => Invariant($"{r.StatusCode} {r.Reason} expires {r.Expires}"),
        Unregistered u => $"{Status(u.StatusCode)} {u.Cause}",
        RegistrationFailed f => $"{Status(f.StatusCode)} {f.Cause}",
        ConnectSucceeded s => $"user {s.Configuration.User}",
        ConnectFailed f => f.Cause is null ? f.Error : $"{f.Cause}: {f.Error}",
        Disconnecting => "",
        Disconnected d => d.Error ? $"error {d.Reason}" : d.Reason ?? "",
        NewRtcSession s => $"{s.Originator} call {s.CallId} from {s.From} to {s.To}",
        NewMessage m => Invariant($"{m.Originator} from {m.From} to {m.To} {m.ContentType ?? "-"} {m.Body.Length} chars"),
        SipEvent s => Invariant($"event {s.Event}{(s.EventId is null ? "" : ";id=" + s.EventId)} {s.ContentType ?? "-"} {s.Body.Length} chars"),
        // The call id leads every session line, so a grep for it follows one call from newRTCSession to ended.
        SessionRinging r => $"{r.CallId} {r.Originator}",
        SessionProgress p => Invariant($"{p.CallId} {p.StatusCode} {p.Reason}{Sdp(p.RemoteSdp)}"),
        SessionAnswered a => $"{a.CallId} {a.Originator}{Sdp(a.RemoteSdp)}",
        SessionConfirmed c => $"{c.CallId} {c.Originator}",
        SessionUpdated u => $"{u.CallId} {u.Originator}{Sdp(u.RemoteSdp)}",
        SessionEnded end => $"{end.CallId} {end.Cause} {Status(end.StatusCode)} {end.Reason ?? "-"} {end.Originator}",
        _ => "",
    };

    /// <summary>The SDP's size only: its lines would break the one-line-per-event output (the JSON form carries it whole).</summary>
    private static string Sdp(string? sdp) => sdp is null ? "" : Invariant($" sdp {sdp.Length} chars");

    private static string Status(int? status) => status?.ToString(CultureInfo.InvariantCulture) ?? "-";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
