using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using SipActors.Cli.Run;
using SipActors.Cluster.Events;

namespace SipActors.Cli.Cluster;

/// <summary>
/// The observer of <c>sipactors events</c>: prints every account event the cluster's nodes publish
/// on the subscribed topics, one line (or one JSON object) each, as the only writer of the output.
/// Numbers the events' gaps by their per-account sequence (pub/sub is at most once) and says on
/// standard error when a node's probe shows that its events reach the observer.
/// </summary>
internal sealed class ClusterEventPrinter : ReceiveActor
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly TextWriter _output;
    private readonly TextWriter _error;
    private readonly bool _json;
    private readonly Func<string, bool> _wanted;
    private readonly string _probeId;
    private readonly int _topics;
    private readonly TaskCompletionSource _subscribed;
    private readonly Dictionary<(string Node, AccountId Account), long> _sequences = [];
    private readonly Dictionary<string, HashSet<string>> _probesBack = new(StringComparer.Ordinal); // node → topics whose probe came back
    private int _acks;
    private long _events;
    private long _gaps;

    public ClusterEventPrinter(TextWriter output, TextWriter error, bool json, Func<string, bool> wanted, string probeId, int topics, TaskCompletionSource subscribed)
    {
        _output = output;
        _error = error;
        _json = json;
        _wanted = wanted;
        _probeId = probeId;
        _topics = topics;
        _subscribed = subscribed;
        Receive<SubscribeAck>(_ =>
        {
            if (++_acks == _topics)
            {
                _subscribed.TrySetResult();
            }
        });
        Receive<ClusterEventProbe>(p => p.Id == _probeId, OnProbe);
        Receive<ClusterEventProbe>(_ => { });
        Receive<ClusterAccountEvent>(OnEvent);
        Receive<GetObserverState>(_ => Sender.Tell(new ObserverState(_events, _gaps, [.. _probesBack.Where(p => p.Value.Count == _topics).Select(p => p.Key)])));
    }

    public static Props Props(TextWriter output, TextWriter error, bool json, Func<string, bool> wanted, string probeId, int topics, TaskCompletionSource subscribed)
        => Akka.Actor.Props.Create(() => new ClusterEventPrinter(output, error, json, wanted, probeId, topics, subscribed));

    private void OnProbe(ClusterEventProbe probe)
    {
        if (!_probesBack.TryGetValue(probe.Node, out var back))
        {
            _probesBack[probe.Node] = back = new HashSet<string>(StringComparer.Ordinal);
        }
        if (back.Add(probe.Topic) && back.Count == _topics)
        {
            _error.WriteLine($"sipactors events: receiving the events of {probe.Node}");
        }
    }

    private void OnEvent(ClusterAccountEvent e)
    {
        var key = (e.Node, e.Account);
        if (_sequences.TryGetValue(key, out var last) && e.Sequence > last + 1)
        {
            _gaps += e.Sequence - last - 1;
            _error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"sipactors events: {e.Sequence - last - 1} event(s) of {e.Account} from {e.Node} missing (sequence {last + 1}..{e.Sequence - 1})"));
        }
        if (e.Sequence > last)
        {
            _sequences[key] = e.Sequence;
        }
        if (!_wanted(e.Topic))
        {
            return;
        }
        _events++;
        _output.WriteLine(_json ? Json(e) : Line(e));
    }

    /// <summary>
    /// <c>HH:mm:ss.fff node topic account #sequence summary</c>, the node as host:port: the sequence
    /// is the account's on that node, so a reader sees a gap or a move (a new node starts at #1).
    /// </summary>
    internal static string Line(ClusterAccountEvent e)
    {
        var time = e.Time.ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
        var summary = ClusterAccountEventDecoder.TryDecode(e) is { } decoded ? EventLine.Summary(decoded) : RawSummary(e);
        var node = e.Node.IndexOf('@') is var at and >= 0 ? e.Node[(at + 1)..] : e.Node;
        var line = string.Create(CultureInfo.InvariantCulture, $"{time} {node} {e.Topic} {e.Account} #{e.Sequence}");
        return summary.Length == 0 ? line : line + " " + summary;
    }

    /// <summary>A newRTCSession (its record does not travel): the same fields as its local line, from the JSON.</summary>
    private static string RawSummary(ClusterAccountEvent e)
    {
        try
        {
            using var document = JsonDocument.Parse(e.Json);
            var j = document.RootElement;
            string F(string name) => j.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";
            return e.Topic == Events.ConnectionTopics.NewRtcSession ? $"{F("originator")} call {F("callId")} from {F("from")} to {F("to")}" : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }

    /// <summary>The event's own JSON object with the node and the sequence number first.</summary>
    internal static string Json(ClusterAccountEvent e)
    {
        var buffer = new ArrayBufferWriter<byte>(e.Json.Length + 96);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("node", e.Node);
            writer.WriteNumber("sequence", e.Sequence);
            try
            {
                using var document = JsonDocument.Parse(e.Json);
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    property.WriteTo(writer);
                }
            }
            catch (JsonException)
            {
                writer.WriteString("topic", e.Topic);
                writer.WriteString("account", e.Account.Value);
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}

/// <summary>Asks the printer for its <see cref="ObserverState"/>.</summary>
internal sealed class GetObserverState
{
    public static readonly GetObserverState Instance = new();
    private GetObserverState() { }
}

/// <summary>Events printed, events missing by their sequence numbers, and the nodes whose probes came back on every topic.</summary>
internal sealed record ObserverState(long Events, long Gaps, IReadOnlyList<string> Receiving);
