using System.Text.Json.Serialization;

namespace SipActors.Cli.Load;

/// <summary>
/// What a load run was asked to do and where it ran, recorded in its report so that two reports
/// can be compared: the same figures from another server, rate or machine mean something else.
/// </summary>
public sealed record RunSettings
{
    /// <summary>The resolved SipServerUrl the accounts connected to.</summary>
    [JsonPropertyName("server")] public required string Server { get; init; }

    /// <summary>udp, tcp, tls, ws or wss.</summary>
    [JsonPropertyName("transport")] public required string Transport { get; init; }

    /// <summary>Whether the server was the embedded registrar the run started itself.</summary>
    [JsonPropertyName("embeddedRegistrar")] public bool EmbeddedRegistrar { get; init; }

    [JsonPropertyName("accounts")] public required int Accounts { get; init; }

    /// <summary>New registrations started per second; null when only the concurrency bounded them.</summary>
    [JsonPropertyName("rate")] public double? Rate { get; init; }

    /// <summary>The <c>--rate</c> stages, e.g. <c>100:2000/60s,2000/120s</c>; null for a constant or unlimited rate.</summary>
    [JsonPropertyName("rateStages")] public string? RateStages { get; init; }

    [JsonPropertyName("concurrency")] public required int Concurrency { get; init; }

    /// <summary>Requested registration lifetime, seconds.</summary>
    [JsonPropertyName("expires")] public required int Expires { get; init; }

    /// <summary>Seconds the accounts were to be held registered after the ramp.</summary>
    [JsonPropertyName("holdSeconds")] public required double HoldSeconds { get; init; }

    [JsonPropertyName("unregister")] public bool Unregister { get; init; } = true;

    /// <summary>Seconds a connect may take (sip-actors.connect-timeout, --connect-timeout).</summary>
    [JsonPropertyName("connectTimeoutSeconds")] public double ConnectTimeoutSeconds { get; init; }

    /// <summary>How the TLS/WSS server's certificate was checked: system roots, a pinned certificate, or not at all.</summary>
    [JsonPropertyName("tlsCheck")] public string TlsCheck { get; init; } = "system roots";

    /// <summary>The <c>--max-failures</c> bound, if any.</summary>
    [JsonPropertyName("maxFailures")] public int? MaxFailures { get; init; }

    /// <summary>The local address sent from (<c>--local</c> or sip-actors.transport.local-address); null when the system chose.</summary>
    [JsonPropertyName("localAddress")] public string? LocalAddress { get; init; }

    /// <summary>The version of sipactors that ran.</summary>
    [JsonPropertyName("version")] public required string Version { get; init; }

    /// <summary>Host name, processors, operating system and .NET runtime of the machine that ran.</summary>
    [JsonPropertyName("machine")] public required MachineInfo Machine { get; init; }
}

/// <summary>The machine a load run ran on.</summary>
public sealed record MachineInfo(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("processors")] int Processors,
    [property: JsonPropertyName("os")] string OperatingSystem,
    [property: JsonPropertyName("runtime")] string Runtime)
{
    public static MachineInfo Current() => new(
        Environment.MachineName,
        Environment.ProcessorCount,
        System.Runtime.InteropServices.RuntimeInformation.OSDescription,
        System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription);
}
