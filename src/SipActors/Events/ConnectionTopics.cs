using System.Collections.Frozen;
using Akka.Actor;
using Akka.Event;

namespace SipActors.Events;

/// <summary>
/// The 16 topic strings of the seed, and subscription by topic string: <c>connection:*</c>, one
/// topic, the <c>session:*</c> topics of calls (<see cref="SessionTopics"/>), or <c>*</c> for
/// every account event.
/// </summary>
public static class ConnectionTopics
{
    /// <summary>Every event an account publishes: <c>connection:*</c> and <c>session:*</c>.</summary>
    public const string Everything = "*";
    public const string All = "connection:*";
    public const string Connecting = "connection:connecting";
    public const string Connected = "connection:connected";
    public const string Disconnected = "connection:disconnected";
    public const string NewRtcSession = "connection:newRTCSession";
    public const string Registered = "connection:registered";
    public const string Unregistered = "connection:unregistered";
    public const string RegistrationFailed = "connection:registrationFailed";
    public const string NewMessage = "connection:newMessage";
    public const string SipEvent = "connection:sipEvent";
    public const string Disconnecting = "connection:disconnecting";
    public const string ConnectStarted = "connection:connect-started";
    public const string ConnectParametersResolveSuccess = "connection:connect-parameters-resolve-success";
    public const string ConnectParametersResolveFailed = "connection:connect-parameters-resolve-failed";
    public const string ConnectSucceeded = "connection:connect-succeeded";
    public const string ConnectedWithConfiguration = "connection:connected-with-configuration";
    public const string ConnectFailed = "connection:connect-failed";

    private static readonly FrozenDictionary<string, Type> Types = new Dictionary<string, Type>
    {
        [All] = typeof(ConnectionEvent),
        [Connecting] = typeof(Events.Connecting),
        [Connected] = typeof(Events.Connected),
        [Disconnected] = typeof(Events.Disconnected),
        [NewRtcSession] = typeof(Events.NewRtcSession),
        [Registered] = typeof(Events.Registered),
        [Unregistered] = typeof(Events.Unregistered),
        [RegistrationFailed] = typeof(Events.RegistrationFailed),
        [NewMessage] = typeof(Events.NewMessage),
        [SipEvent] = typeof(Events.SipEvent),
        [Disconnecting] = typeof(Events.Disconnecting),
        [ConnectStarted] = typeof(Events.ConnectStarted),
        [ConnectParametersResolveSuccess] = typeof(ConnectParametersResolveSucceeded),
        [ConnectParametersResolveFailed] = typeof(Events.ConnectParametersResolveFailed),
        [ConnectSucceeded] = typeof(Events.ConnectSucceeded),
        [ConnectedWithConfiguration] = typeof(Events.ConnectedWithConfiguration),
        [ConnectFailed] = typeof(Events.ConnectFailed),
        [Everything] = typeof(AccountEvent),
        [SessionTopics.All] = typeof(SessionEvent),
        [SessionTopics.Ringing] = typeof(SessionRinging),
        [SessionTopics.Progress] = typeof(SessionProgress),
        [SessionTopics.Answered] = typeof(SessionAnswered),
        [SessionTopics.Confirmed] = typeof(SessionConfirmed),
        [SessionTopics.Updated] = typeof(SessionUpdated),
        [SessionTopics.Ended] = typeof(SessionEnded),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The 16 topics (without <c>connection:*</c>).</summary>
    public static IEnumerable<string> Topics => Types.Keys.Where(k => k.StartsWith("connection:", StringComparison.Ordinal) && k != All);

    /// <summary>The event type of a topic string; throws naming the topic when it is unknown.</summary>
    public static Type TypeOf(string topic)
        => Types.TryGetValue(topic ?? throw new ArgumentNullException(nameof(topic)), out var type)
            ? type
            : throw new ArgumentException($"'{topic}' is not a topic (known: {string.Join(", ", Types.Keys.Order(StringComparer.Ordinal))}).", nameof(topic));

    /// <summary>Subscribes <paramref name="subscriber"/> to a topic string on the event stream.</summary>
    public static bool Subscribe(EventStream eventStream, IActorRef subscriber, string topic)
    {
        ArgumentNullException.ThrowIfNull(eventStream);
        return eventStream.Subscribe(subscriber, TypeOf(topic));
    }

    public static bool Unsubscribe(EventStream eventStream, IActorRef subscriber, string topic)
    {
        ArgumentNullException.ThrowIfNull(eventStream);
        return eventStream.Unsubscribe(subscriber, TypeOf(topic));
    }
}
