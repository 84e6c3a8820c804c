using System.Diagnostics.Metrics;

namespace SipActors.Diagnostics;

/// <summary>
/// The <c>SipActors</c> meter (System.Diagnostics.Metrics): what the event stream does not carry,
/// such as refreshes, which publish no event (CONTRACT.md §2). Read it with dotnet-counters,
/// OpenTelemetry or a <see cref="MeterListener"/>.
/// </summary>
public static class SipActorsMetrics
{
    public const string MeterName = "SipActors";

    /// <summary>Successful initial registrations (an account becoming registered).</summary>
    public const string Registrations = "sipactors.registrations";

    /// <summary>Successful registration refreshes.</summary>
    public const string Refreshes = "sipactors.registration.refreshes";

    /// <summary>Refreshes that failed (rejected, timed out or transport error), tagged <c>cause</c>.</summary>
    public const string RefreshFailures = "sipactors.registration.refresh_failures";

    /// <summary>Failed registrations (initial or refresh), tagged <c>cause</c>.</summary>
    public const string RegistrationFailures = "sipactors.registration.failures";

    /// <summary>
    /// Seconds from a REGISTER sent to its 2xx, digest challenge included (histogram, tags
    /// <c>kind</c>: initial or refresh, and <c>transport</c>: udp, tcp, tls, ws, wss). Measured in
    /// the account, so refreshes, which publish no event, are in it too.
    /// </summary>
    public const string RegistrationDuration = "sipactors.registration.duration";

    private static readonly Meter Meter = new(MeterName, typeof(SipActorsMetrics).Assembly.GetName().Version?.ToString());

    internal static readonly Counter<long> RegistrationsCounter = Meter.CreateCounter<long>(Registrations, "{registration}", "Accounts that became registered");
    internal static readonly Counter<long> RefreshesCounter = Meter.CreateCounter<long>(Refreshes, "{refresh}", "Successful registration refreshes");
    internal static readonly Counter<long> RefreshFailuresCounter = Meter.CreateCounter<long>(RefreshFailures, "{refresh}", "Failed registration refreshes");
    internal static readonly Counter<long> RegistrationFailuresCounter = Meter.CreateCounter<long>(RegistrationFailures, "{registration}", "Failed registrations");
    internal static readonly Histogram<double> RegistrationDurationHistogram = Meter.CreateHistogram<double>(RegistrationDuration, "s", "REGISTER sent to its 2xx, challenge included");

    private static readonly KeyValuePair<string, object?>[] TransportTags =
        [new("transport", "udp"), new("transport", "tcp"), new("transport", "tls"), new("transport", "ws"), new("transport", "wss")];
    private static readonly KeyValuePair<string, object?> InitialTag = new("kind", "initial");
    private static readonly KeyValuePair<string, object?> RefreshTag = new("kind", "refresh");

    /// <summary>Records one REGISTER exchange that ended in a 2xx (tags made once, not per record).</summary>
    internal static void RecordRegistration(TimeSpan elapsed, bool refresh, Sip.SipTransportKind transport)
        => RegistrationDurationHistogram.Record(elapsed.TotalSeconds, refresh ? RefreshTag : InitialTag, TransportTags[(int)transport]);
}
