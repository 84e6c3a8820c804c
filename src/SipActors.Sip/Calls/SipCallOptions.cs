namespace SipActors.Sip.Calls;

/// <summary>Settings of one call.</summary>
public sealed record SipCallOptions
{
    public static SipCallOptions Default { get; } = new();

    /// <summary>
    /// How long a call may go unanswered, 60 s by default (the seed library's no-answer timeout):
    /// an outgoing call is then cancelled, an incoming one answered 480. Either way it ends NoAnswer.
    /// </summary>
    public TimeSpan NoAnswerTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The SDP content type.</summary>
    public string ContentType { get; init; } = "application/sdp";
}
