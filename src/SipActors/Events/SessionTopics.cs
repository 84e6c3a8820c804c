namespace SipActors.Events;

/// <summary>The topic strings of a call's steps (<see cref="SessionEvent"/>); subscribe with <see cref="ConnectionTopics.Subscribe"/>.</summary>
public static class SessionTopics
{
    public const string All = "session:*";
    public const string Ringing = "session:ringing";
    public const string Progress = "session:progress";
    public const string Answered = "session:answered";
    public const string Confirmed = "session:confirmed";
    public const string Updated = "session:updated";
    public const string Ended = "session:ended";

    /// <summary>The six topics (without <c>session:*</c>).</summary>
    public static IReadOnlyList<string> Topics { get; } = [Ringing, Progress, Answered, Confirmed, Updated, Ended];
}
