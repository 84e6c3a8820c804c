using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics.Metrics;
using System.Net;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using SipActors.Diagnostics;
using SipActors.Sip.UserAgents;

namespace SipActors.Cli.Telemetry;

/// <summary>
/// <c>--otlp URL</c> and <c>--prometheus HOST:PORT</c> for <c>load</c> and <c>run</c>: the
/// <c>SipActors</c> meter (registrations, refreshes, failures by cause, REGISTER durations by kind
/// and transport) through the OpenTelemetry SDK, plus the stack's own figures (transactions in
/// flight, retransmissions, timeouts) as observable instruments of the same meter name.
/// </summary>
internal sealed class MetricsExport : IDisposable
{
    /// <summary>How often OTLP pushes; the SDK's default, 60 s, is longer than many load runs.</summary>
    private static readonly TimeSpan OtlpInterval = TimeSpan.FromSeconds(5);

    private readonly MeterProvider _provider;
    private readonly Meter _stackMeter;

    private MetricsExport(MeterProvider provider, Meter stackMeter)
    {
        _provider = provider;
        _stackMeter = stackMeter;
    }

    /// <summary>The three options, to add to a command.</summary>
    internal sealed record Options(Option<Uri> Otlp, Option<string> OtlpProtocol, Option<string> Prometheus)
    {
        public IEnumerable<Option> All => [Otlp, OtlpProtocol, Prometheus];

        public static Options Create()
        {
            var otlp = new Option<Uri>("--otlp") { Description = "Export the SipActors metrics with OTLP to this collector, e.g. http://127.0.0.1:4317 (grpc) or http://127.0.0.1:4318/v1/metrics (http), every 5 s and at the end.", HelpName = "URL" };
            otlp.CustomParser = r =>
            {
                var text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
                if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.UserInfo.Length == 0)
                {
                    return uri;
                }
                r.AddError(text.Contains('@', StringComparison.Ordinal) ? "--otlp must be an http:// or https:// URL without credentials" : $"--otlp '{text}' is not an http:// or https:// URL");
                return null;
            };
            var protocol = new Option<string>("--otlp-protocol") { Description = "OTLP over grpc (port 4317) or http (http/protobuf, port 4318).", DefaultValueFactory = _ => "grpc", HelpName = "grpc|http" };
            protocol.AcceptOnlyFromAmong("grpc", "http");
            var prometheus = new Option<string>("--prometheus") { Description = "Serve the SipActors metrics for Prometheus at http://HOST:PORT/metrics while the command runs; loopback addresses only (127.0.0.1:9464).", HelpName = "HOST:PORT" };
            prometheus.Validators.Add(r =>
            {
                if (r.Tokens.Count > 0 && !TryLoopback(r.Tokens[^1].Value, out _))
                {
                    r.AddError($"--prometheus '{r.Tokens[^1].Value}' must be a loopback address and port, e.g. 127.0.0.1:9464 (the metrics name the server and accounts: not for the network)");
                }
            });
            return new Options(otlp, protocol, prometheus);
        }

        /// <summary>Starts the export the parsed options ask for; null when they ask for none.</summary>
        public MetricsExport? Start(ParseResult result, SipStack stack)
        {
            var endPoint = result.GetValue(Prometheus) is { } text && TryLoopback(text, out var parsed) ? parsed : null;
            return MetricsExport.Start(result.GetValue(Otlp), result.GetValue(OtlpProtocol) == "http" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc, endPoint, stack);
        }
    }

    /// <summary>HOST:PORT with a loopback host (localhost is 127.0.0.1) and a port.</summary>
    internal static bool TryLoopback(string text, out IPEndPoint? endPoint)
    {
        endPoint = null;
        var value = text.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase) ? "127.0.0.1" + text["localhost".Length..] : text;
        if (IPEndPoint.TryParse(value, out var parsed) && parsed.Port > 0 && IPAddress.IsLoopback(parsed.Address))
        {
            endPoint = parsed;
            return true;
        }
        return false;
    }

    public static MetricsExport? Start(Uri? otlp, OtlpExportProtocol protocol, IPEndPoint? prometheus, SipStack stack)
    {
        if (otlp is null && prometheus is null)
        {
            return null;
        }
        var timeouts = 0L;
        stack.Transactions.ClientTransactionTimedOut += _ => Interlocked.Increment(ref timeouts);
        // Same name as the library's meter: AddMeter("SipActors") takes both, as a service's host does with the hosting gauges.
        var meter = new Meter(SipActorsMetrics.MeterName);
        meter.CreateObservableGauge("sipactors.transactions.in_flight", () => stack.Transactions.Count, "{transaction}", "SIP transactions not yet terminated");
        meter.CreateObservableCounter("sipactors.sip.retransmissions", () => stack.Transactions.Retransmissions, "{message}", "SIP messages sent again (UDP retransmissions)");
        meter.CreateObservableCounter("sipactors.sip.transaction_timeouts", () => Interlocked.Read(ref timeouts), "{transaction}", "Client transactions without a final response (Timer F or B)");
        var builder = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(resource => resource.AddService("sipactors", serviceVersion: Load.LoadRunner.Version))
            .AddMeter(SipActorsMetrics.MeterName);
        if (otlp is not null)
        {
            builder.AddOtlpExporter((exporter, reader) =>
            {
                exporter.Endpoint = otlp;
                exporter.Protocol = protocol;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)OtlpInterval.TotalMilliseconds;
            });
        }
        if (prometheus is not null)
        {
            builder.AddPrometheusHttpListener(options =>
            {
                options.Host = prometheus.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{prometheus.Address}]" : prometheus.Address.ToString();
                options.Port = prometheus.Port;
            });
        }
        try
        {
            return new MetricsExport(builder.Build(), meter);
        }
        catch (Exception e) when (e is HttpListenerException or InvalidOperationException)
        {
            meter.Dispose();
            throw new CliUsageException($"--prometheus {prometheus}: cannot listen there ({(e.InnerException ?? e).Message}); is the port already in use?");
        }
    }

    /// <summary>Pushes the last figures (OTLP) and stops serving them (Prometheus).</summary>
    public void Dispose()
    {
        _provider.ForceFlush(5000);
        _provider.Dispose();
        _stackMeter.Dispose();
    }
}
