using System.Diagnostics.Metrics;

namespace SipActors.Sip.Diagnostics;

/// <summary>
/// The SIP stack's instruments on the <c>SipActors</c> meter: responses to our requests by method
/// and status code, and REGISTERs by what they were sent for, as SIPp's statistics count them.
/// Without a listener an instrument costs a flag read; the tags are made once, not per message.
/// </summary>
public static class SipStackMetrics
{
    public const string MeterName = "SipActors";

    /// <summary>Responses to the stack's requests, retransmitted ones included (tags <c>sip.method</c>, <c>sip.response.status_code</c>).</summary>
    public const string Responses = "sipactors.sip.responses";

    /// <summary>REGISTERs sent by accounts (tag <c>sipactors.register.kind</c>: see <see cref="RegisterKind"/>).</summary>
    public const string RegisterRequests = "sipactors.sip.register.requests";

    public const string MethodTag = "sip.method";
    public const string StatusCodeTag = "sip.response.status_code";
    public const string RegisterKindTag = "sipactors.register.kind";

    private static readonly Meter Meter = new(MeterName, typeof(SipStackMetrics).Assembly.GetName().Version?.ToString());
    private static readonly Counter<long> ResponsesCounter = Meter.CreateCounter<long>(Responses, "{response}", "SIP responses received to requests sent");
    private static readonly Counter<long> RegisterCounter = Meter.CreateCounter<long>(RegisterRequests, "{request}", "REGISTER requests sent, by kind");

    // Boxed once: a tag value is an object, and a response a second must not box its status code.
    private static readonly object[] StatusCodes = Enumerable.Range(0, 700).Select(code => (object)code).ToArray();
    private static readonly KeyValuePair<string, object?>[] KindTags =
        Enum.GetValues<RegisterKind>().Select(kind => new KeyValuePair<string, object?>(RegisterKindTag, KindName(kind))).ToArray();

    internal static void CountResponse(string method, int statusCode)
    {
        if (ResponsesCounter.Enabled && (uint)statusCode < (uint)StatusCodes.Length)
        {
            ResponsesCounter.Add(1, new KeyValuePair<string, object?>(MethodTag, method), new KeyValuePair<string, object?>(StatusCodeTag, StatusCodes[statusCode]));
        }
    }

    internal static void CountRegister(RegisterKind kind)
    {
        if (RegisterCounter.Enabled)
        {
            RegisterCounter.Add(1, KindTags[(int)kind]);
        }
    }

    /// <summary>The tag value of <paramref name="kind"/>: initial, challenged, refresh, unregister, retry.</summary>
    public static string KindName(RegisterKind kind) => kind switch
    {
        RegisterKind.Initial => "initial",
        RegisterKind.Challenged => "challenged",
        RegisterKind.Refresh => "refresh",
        RegisterKind.Unregister => "unregister",
        _ => "retry",
    };
}
