using System.Buffers;
using System.Runtime.Serialization;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;
using SipActors.Calls;
using SipActors.Cluster.Events;
using SipActors.Cluster.Sharding;
using SipActors.Connections;
using SipActors.Sip.Registration;

namespace SipActors.Cluster.Serialization;

/// <summary>
/// The serializer of every SipActors message that crosses nodes (bound in cluster.hocon): account
/// commands (calls' too), their answers, the node status and report, the replicated account
/// definitions, the cluster-wide events and their probes, each a small JSON object named by a short string manifest. Explicit, so no
/// message relies on Akka's default serializer (which warns, and does not know our records); a
/// Connect with a provider cannot be written at all (a function does not travel). Errors name the
/// manifest or the field, never a value.
/// </summary>
public sealed class SipClusterSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>Serializer id in Akka's registry; ids below 100 are Akka's own.</summary>
    public const int SerializerId = 4260;

    internal const string ConnectManifest = "connect";
    internal const string PlaceAccountManifest = "place-account";
    internal const string DisconnectManifest = "disconnect";
    internal const string RegisterManifest = "register";
    internal const string UnregisterManifest = "unregister";
    internal const string GetStateManifest = "get-state";
    internal const string SendMessageManifest = "send-message";
    internal const string SendOptionsManifest = "send-options";
    internal const string PingManifest = "ping";
    internal const string RemoveAccountManifest = "remove-account";
    internal const string CommandResultManifest = "command-result";
    internal const string StateResultManifest = "state-result";
    internal const string GetStatusManifest = "get-status";
    internal const string StatusManifest = "status";
    internal const string DefinitionManifest = "definition";
    internal const string BindingManifest = "binding";
    internal const string EventManifest = "event";
    internal const string ProbeManifest = "event-probe";
    internal const string GetNodeReportManifest = "get-node-report";
    internal const string NodeReportManifest = "node-report";
    internal const string CallManifest = "call";
    internal const string AnswerManifest = "answer";
    internal const string RejectManifest = "reject";
    internal const string HangUpManifest = "hang-up";
    internal const string GetCallsManifest = "get-calls";
    internal const string CallsResultManifest = "calls-result";

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        Connect => ConnectManifest,
        PlaceAccount => PlaceAccountManifest,
        Disconnect => DisconnectManifest,
        Register => RegisterManifest,
        Unregister => UnregisterManifest,
        GetState => GetStateManifest,
        SendMessage => SendMessageManifest,
        SendOptions => SendOptionsManifest,
        Ping => PingManifest,
        RemoveAccount => RemoveAccountManifest,
        CommandResult => CommandResultManifest,
        ConnectionStateResult => StateResultManifest,
        GetSupervisorStatus => GetStatusManifest,
        SupervisorStatus => StatusManifest,
        AccountDefinition => DefinitionManifest,
        RegistrationBinding => BindingManifest,
        ClusterAccountEvent => EventManifest,
        ClusterEventProbe => ProbeManifest,
        GetNodeReport => GetNodeReportManifest,
        NodeReport => NodeReportManifest,
        Call => CallManifest,
        Answer => AnswerManifest,
        Reject => RejectManifest,
        HangUp => HangUpManifest,
        GetCalls => GetCallsManifest,
        CallsResult => CallsResultManifest,
        _ => throw new SerializationException($"{nameof(SipClusterSerializer)} does not serialize {o.GetType().FullName}"),
    };

    public override byte[] ToBinary(object obj)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            Write(w, obj);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            return Read(document.RootElement, manifest);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            // The message of a JsonException says where, not what: no value (a password) leaks.
            throw new SerializationException($"{nameof(SipClusterSerializer)}: a '{manifest}' message could not be read: {e.Message}", e);
        }
    }

    private void Write(Utf8JsonWriter w, object obj)
    {
        switch (obj)
        {
            case Connect c:
                if (NotPlaceable.Reason(c) is { } reason)
                {
                    throw new SerializationException(reason);
                }
                w.WriteString("account", c.Account.Value);
                WireJson.WriteParameters(w, "parameters", c.Parameters!);
                return;
            case PlaceAccount p:
                w.WriteString("account", p.Account.Value);
                WireJson.WriteParameters(w, "parameters", p.Parameters);
                return;
            case SendMessage m:
                w.WriteString("account", m.Account.Value);
                w.WriteString("target", m.Target);
                w.WriteString("body", m.Body);
                w.WriteString("contentType", m.ContentType);
                return;
            case SendOptions o:
                w.WriteString("account", o.Account.Value);
                w.WriteString("target", o.Target);
                return;
            case CommandResult r:
                WriteResult(w, r);
                return;
            case ConnectionStateResult s:
                w.WriteString("account", s.Account.Value);
                w.WriteString("status", s.Status.ToString());
                if (s.Configuration is { } configuration)
                {
                    WireJson.WriteConfiguration(w, "configuration", configuration);
                }
                return;
            case GetSupervisorStatus or GetNodeReport:
                return;
            case SupervisorStatus s:
                w.WriteNumber("accounts", s.Accounts);
                WriteByStatus(w, s.ByStatus);
                return;
            case NodeReport n:
                w.WriteString("node", n.Node);
                w.WriteNumber("accounts", n.Accounts);
                WriteByStatus(w, n.ByStatus);
                w.WriteNumber("cpuSeconds", n.CpuSeconds);
                w.WriteNumber("workingSet", n.WorkingSetBytes);
                w.WriteNumber("peakWorkingSet", n.PeakWorkingSetBytes);
                w.WriteNumber("retransmissions", n.Retransmissions);
                w.WriteNumber("transactionTimeouts", n.TransactionTimeouts);
                w.WriteNumber("refreshes", n.Refreshes);
                w.WriteNumber("refreshFailures", n.RefreshFailures);
                w.WriteNumber("transactionsOpen", n.TransactionsOpen);
                w.WriteStartObject("registersSent");
                foreach (var (kind, count) in n.RegistersSent)
                {
                    w.WriteNumber(kind, count);
                }
                w.WriteEndObject();
                w.WriteStartObject("registerResponses");
                foreach (var (status, count) in n.RegisterResponses)
                {
                    w.WriteNumber(status.ToString(System.Globalization.CultureInfo.InvariantCulture), count);
                }
                w.WriteEndObject();
                return;
            case ClusterEventProbe p:
                w.WriteString("id", p.Id);
                w.WriteString("topic", p.Topic);
                w.WriteString("node", p.Node);
                return;
            case Call c:
                w.WriteString("account", c.Account.Value);
                w.WriteString("target", c.Target);
                w.WriteString("sdp", c.Sdp);
                return;
            case Answer a:
                w.WriteString("account", a.Account.Value);
                w.WriteString("callId", a.CallId);
                w.WriteString("sdp", a.Sdp);
                return;
            case Reject r:
                w.WriteString("account", r.Account.Value);
                w.WriteString("callId", r.CallId);
                w.WriteNumber("statusCode", r.StatusCode);
                return;
            case HangUp h:
                w.WriteString("account", h.Account.Value);
                w.WriteString("callId", h.CallId);
                return;
            case CallsResult calls:
                w.WriteString("account", calls.Account.Value);
                w.WriteStartArray("calls");
                foreach (var session in calls.Calls)
                {
                    w.WriteStartObject();
                    WriteSession(w, session);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                return;
            case AccountDefinition d:
                w.WriteString("account", d.Account.Value);
                WireJson.WriteParameters(w, "parameters", d.Parameters);
                return;
            case RegistrationBinding b:
                w.WriteString("callId", b.CallId);
                w.WriteNumber("cseq", b.CSeq);
                w.WriteString("contact", b.ContactUri);
                return;
            case ClusterAccountEvent e:
                w.WriteString("node", e.Node);
                w.WriteString("account", e.Account.Value);
                w.WriteNumber("sequence", e.Sequence);
                w.WriteString("topic", e.Topic);
                w.WriteString("time", WireJson.Invariant(e.Time));
                w.WriteString("json", e.Json);
                return;
            case IWithAccountId m when m is Disconnect or Register or Unregister or GetState or Ping or RemoveAccount or GetCalls:
                w.WriteString("account", m.Account.Value);
                return;
            default:
                throw new SerializationException($"{nameof(SipClusterSerializer)} does not serialize {obj.GetType().FullName}");
        }
    }

    private void WriteResult(Utf8JsonWriter w, CommandResult r)
    {
        w.WriteString("account", r.Account.Value);
        w.WriteString("status", r.Status.ToString());
        w.WriteString("error", r.Error);
        if (r.StatusCode is { } code)
        {
            w.WriteNumber("statusCode", code);
        }
        if (r.Session is { } session)
        {
            w.WriteStartObject("session");
            WriteSession(w, session);
            w.WriteEndObject();
        }
    }

    /// <summary>A call's handle: its session actor travels as a path the receiving node resolves.</summary>
    private static void WriteSession(Utf8JsonWriter w, CallSession session)
    {
        w.WriteString("account", session.Account.Value);
        w.WriteString("callId", session.CallId);
        w.WriteString("originator", session.Originator);
        w.WriteString("from", session.From);
        w.WriteString("to", session.To);
        w.WriteString("actor", Akka.Serialization.Serialization.SerializedActorPath(session.Actor));
    }

    private CallSession ReadSession(JsonElement s)
        => new(Account(s), WireJson.RequiredString(s, "callId"), WireJson.RequiredString(s, "originator"),
            WireJson.String(s, "from") ?? "", WireJson.String(s, "to") ?? "", system.Provider.ResolveActorRef(WireJson.RequiredString(s, "actor")));

    private static void WriteByStatus(Utf8JsonWriter w, IReadOnlyDictionary<ConnectionStatus, int> byStatus)
    {
        w.WriteStartObject("byStatus");
        foreach (var (status, count) in byStatus)
        {
            w.WriteNumber(status.ToString(), count);
        }
        w.WriteEndObject();
    }

    private static Dictionary<ConnectionStatus, int> ReadByStatus(JsonElement e)
    {
        var byStatus = new Dictionary<ConnectionStatus, int>();
        foreach (var entry in e.GetProperty("byStatus").EnumerateObject())
        {
            // A state a newer node knows and this one does not is left out.
            if (System.Enum.TryParse<ConnectionStatus>(entry.Name, out var status) && System.Enum.IsDefined(status))
            {
                byStatus[status] = entry.Value.GetInt32();
            }
        }
        return byStatus;
    }

    private object Read(JsonElement e, string manifest)
    {
        switch (manifest)
        {
            case ConnectManifest:
                return new Connect(Account(e), WireJson.ReadParameters(e.GetProperty("parameters")));
            case PlaceAccountManifest:
                return new PlaceAccount(Account(e), WireJson.ReadParameters(e.GetProperty("parameters")));
            case DisconnectManifest:
                return new Disconnect(Account(e));
            case RegisterManifest:
                return new Register(Account(e));
            case UnregisterManifest:
                return new Unregister(Account(e));
            case GetStateManifest:
                return new GetState(Account(e));
            case PingManifest:
                return new Ping(Account(e));
            case RemoveAccountManifest:
                return new RemoveAccount(Account(e));
            case SendMessageManifest:
                return new SendMessage(Account(e), WireJson.RequiredString(e, "target"), WireJson.String(e, "body") ?? "", WireJson.String(e, "contentType") ?? "text/plain");
            case SendOptionsManifest:
                return new SendOptions(Account(e), WireJson.RequiredString(e, "target"));
            case CommandResultManifest:
                return ReadResult(e);
            case StateResultManifest:
                return new ConnectionStateResult(Account(e), WireJson.Enum<ConnectionStatus>(e, "status"),
                    e.TryGetProperty("configuration", out var configuration) ? WireJson.ReadConfiguration(configuration) : null);
            case GetStatusManifest:
                return GetSupervisorStatus.Instance;
            case StatusManifest:
                return new SupervisorStatus(WireJson.Int(e, "accounts") ?? 0, ReadByStatus(e));
            case GetNodeReportManifest:
                return GetNodeReport.Instance;
            case NodeReportManifest:
                return new NodeReport(WireJson.RequiredString(e, "node"), WireJson.Int(e, "accounts") ?? 0, ReadByStatus(e),
                    WireJson.Double(e, "cpuSeconds") ?? 0, WireJson.Long(e, "workingSet") ?? 0, WireJson.Long(e, "peakWorkingSet") ?? 0,
                    WireJson.Long(e, "retransmissions") ?? 0, WireJson.Long(e, "transactionTimeouts") ?? 0,
                    WireJson.Long(e, "refreshes") ?? 0, WireJson.Long(e, "refreshFailures") ?? 0)
                {
                    TransactionsOpen = WireJson.Int(e, "transactionsOpen") ?? 0,
                    RegistersSent = e.TryGetProperty("registersSent", out var kinds)
                        ? kinds.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64(), StringComparer.Ordinal)
                        : new Dictionary<string, long>(),
                    RegisterResponses = e.TryGetProperty("registerResponses", out var codes)
                        ? codes.EnumerateObject().ToDictionary(p => int.Parse(p.Name, System.Globalization.CultureInfo.InvariantCulture), p => p.Value.GetInt64())
                        : new Dictionary<int, long>(),
                };
            case ProbeManifest:
                return new ClusterEventProbe(WireJson.RequiredString(e, "id"), WireJson.RequiredString(e, "topic"), WireJson.String(e, "node") ?? "");
            case CallManifest:
                return new Call(Account(e), WireJson.RequiredString(e, "target"), WireJson.String(e, "sdp"));
            case AnswerManifest:
                return new Answer(Account(e), WireJson.RequiredString(e, "callId"), WireJson.String(e, "sdp"));
            case RejectManifest:
                return new Reject(Account(e), WireJson.RequiredString(e, "callId"), WireJson.Int(e, "statusCode") ?? 486);
            case HangUpManifest:
                return new HangUp(Account(e), WireJson.RequiredString(e, "callId"));
            case GetCallsManifest:
                return new GetCalls(Account(e));
            case CallsResultManifest:
                return new CallsResult(Account(e), [.. e.GetProperty("calls").EnumerateArray().Select(ReadSession)]);
            case DefinitionManifest:
                return new AccountDefinition(Account(e), WireJson.ReadParameters(e.GetProperty("parameters")));
            case BindingManifest:
                return new RegistrationBinding(WireJson.RequiredString(e, "callId"), checked((uint)(WireJson.Long(e, "cseq") ?? 0)), WireJson.RequiredString(e, "contact"));
            case EventManifest:
                return new ClusterAccountEvent(WireJson.RequiredString(e, "node"), Account(e), WireJson.Long(e, "sequence") ?? 0,
                    WireJson.RequiredString(e, "topic"), WireJson.Time(e, "time"), WireJson.RequiredString(e, "json"));
            default:
                throw new SerializationException($"{nameof(SipClusterSerializer)}: unknown manifest '{manifest}'");
        }
    }

    private CommandResult ReadResult(JsonElement e)
    {
        var session = e.TryGetProperty("session", out var s) ? ReadSession(s) : null;
        return new CommandResult(Account(e), WireJson.Enum<CommandStatus>(e, "status"), WireJson.String(e, "error"))
        {
            StatusCode = WireJson.Int(e, "statusCode"),
            Session = session,
        };
    }

    private static AccountId Account(JsonElement e) => new(WireJson.RequiredString(e, "account"));
}
