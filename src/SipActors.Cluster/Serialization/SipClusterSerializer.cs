using System.Buffers;
using System.Runtime.Serialization;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;
using SipActors.Calls;
using SipActors.Cluster.Events;
using SipActors.Cluster.Sharding;
using SipActors.Connections;

namespace SipActors.Cluster.Serialization;

/// <summary>
/// The serializer of every SipActors message that crosses nodes (bound in cluster.hocon): account
/// commands, their answers, the node status, the replicated account definitions and the
/// cluster-wide events, each a small JSON object named by a short string manifest. Explicit, so no
/// message relies on Akka's default serializer (which warns, and does not know our records); a
/// Connect with a provider cannot be written at all (a function does not travel). Errors name the
/// manifest or the field, never a value.
/// </summary>
public sealed class SipClusterSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>Serializer id in Akka's registry; ids below 100 are Akka's own.</summary>
    public const int SerializerId = 4260;

    internal const string ConnectManifest = "connect";
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
    internal const string EventManifest = "event";

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        Connect => ConnectManifest,
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
        ClusterAccountEvent => EventManifest,
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
            case GetSupervisorStatus:
                return;
            case SupervisorStatus s:
                w.WriteNumber("accounts", s.Accounts);
                w.WriteStartObject("byStatus");
                foreach (var (status, count) in s.ByStatus)
                {
                    w.WriteNumber(status.ToString(), count);
                }
                w.WriteEndObject();
                return;
            case AccountDefinition d:
                w.WriteString("account", d.Account.Value);
                WireJson.WriteParameters(w, "parameters", d.Parameters);
                return;
            case ClusterAccountEvent e:
                w.WriteString("node", e.Node);
                w.WriteString("account", e.Account.Value);
                w.WriteNumber("sequence", e.Sequence);
                w.WriteString("topic", e.Topic);
                w.WriteString("time", WireJson.Invariant(e.Time));
                w.WriteString("json", e.Json);
                return;
            case IWithAccountId m when m is Disconnect or Register or Unregister or GetState or Ping or RemoveAccount:
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
            // The call's handle: its session actor travels as a path the receiving node resolves.
            w.WriteStartObject("session");
            w.WriteString("account", session.Account.Value);
            w.WriteString("callId", session.CallId);
            w.WriteString("originator", session.Originator);
            w.WriteString("from", session.From);
            w.WriteString("to", session.To);
            w.WriteString("actor", Akka.Serialization.Serialization.SerializedActorPath(session.Actor));
            w.WriteEndObject();
        }
    }

    private object Read(JsonElement e, string manifest)
    {
        switch (manifest)
        {
            case ConnectManifest:
                return new Connect(Account(e), WireJson.ReadParameters(e.GetProperty("parameters")));
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
                var byStatus = new Dictionary<ConnectionStatus, int>();
                foreach (var entry in e.GetProperty("byStatus").EnumerateObject())
                {
                    if (System.Enum.TryParse<ConnectionStatus>(entry.Name, out var status))
                    {
                        byStatus[status] = entry.Value.GetInt32();
                    }
                }
                return new SupervisorStatus(WireJson.Int(e, "accounts") ?? 0, byStatus);
            case DefinitionManifest:
                return new AccountDefinition(Account(e), WireJson.ReadParameters(e.GetProperty("parameters")));
            case EventManifest:
                return new ClusterAccountEvent(WireJson.RequiredString(e, "node"), Account(e), WireJson.Long(e, "sequence") ?? 0,
                    WireJson.RequiredString(e, "topic"), WireJson.Time(e, "time"), WireJson.RequiredString(e, "json"));
            default:
                throw new SerializationException($"{nameof(SipClusterSerializer)}: unknown manifest '{manifest}'");
        }
    }

    private CommandResult ReadResult(JsonElement e)
    {
        CallSession? session = null;
        if (e.TryGetProperty("session", out var s))
        {
            var actor = system.Provider.ResolveActorRef(WireJson.RequiredString(s, "actor"));
            session = new CallSession(Account(s), WireJson.RequiredString(s, "callId"), WireJson.RequiredString(s, "originator"),
                WireJson.String(s, "from") ?? "", WireJson.String(s, "to") ?? "", actor);
        }
        return new CommandResult(Account(e), WireJson.Enum<CommandStatus>(e, "status"), WireJson.String(e, "error"))
        {
            StatusCode = WireJson.Int(e, "statusCode"),
            Session = session,
        };
    }

    private static AccountId Account(JsonElement e) => new(WireJson.RequiredString(e, "account"));
}
