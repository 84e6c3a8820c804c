using System.CommandLine;
using System.Globalization;
using Akka;
using Akka.Actor;
using SipActors.Cli.Load;
using SipActors.Cli.Run;
using SipActors.Cli.Telemetry;
using SipActors.Cluster;
using SipActors.Configuration;
using SipActors.Runtime;

namespace SipActors.Cli.Cluster;

/// <summary>
/// <c>sipactors node --cluster HOST:PORT --seed HOST:PORT</c>: a node that hosts account slices
/// (role <c>sip-accounts</c>, its own SIP stack) for a coordinator (<c>sipactors load --cluster</c>)
/// to place accounts on. Prints membership changes until Ctrl+C / SIGTERM, then leaves gracefully:
/// its slices hand over (each un-registers its accounts first) and carry on on the other nodes.
/// </summary>
internal static class NodeCommand
{
    /// <summary>How long the leave may take: the slices' hand-over (sip-actors.cluster.hand-off-timeout, 30 s) plus leaving and stopping.</summary>
    private static readonly TimeSpan LeaveTimeout = TimeSpan.FromMinutes(2);

    public static Command Create()
    {
        var cluster = ClusterOptions.Create(required: true);
        var config = new Option<FileInfo>("--config") { Description = "HOCON file of sip-actors settings (timers, connect-rate-limit, max-concurrent-connects, sip-actors.cluster...) and akka settings, merged over the cluster defaults; --cluster and --seed win. No accounts: the coordinator places them.", HelpName = "FILE.hocon" };
        var connectTimeout = new Option<double?>("--connect-timeout") { Description = "Seconds a connect of this node's accounts may take (sip-actors.connect-timeout, 10).", HelpName = "S" }.Number("a number of seconds");
        var tlsCert = new Option<FileInfo>("--tls-cert") { Description = "Trust the TLS/WSS server that presents this certificate (PEM or DER), besides the system's roots.", HelpName = "FILE" };
        var tlsCa = new Option<FileInfo>("--tls-ca") { Description = "Trust only the certificate authorities in this PEM file instead of the system's roots; the server's name must still match.", HelpName = "FILE.pem" };
        var local = new Option<string>("--local") { Description = "Local address this node's accounts send from: HOST or HOST:PORT (an IP address; sip-actors.transport.local-address).", HelpName = "HOST[:PORT]" };
        var traceErrors = new Option<FileInfo>("--trace-errors") { Description = "Write the SIP messages of this node's failed client transactions here (credentials redacted, the first 10,000), as 'sipactors load --trace-errors' does.", HelpName = "FILE" };
        traceErrors.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && OutputFiles.Problem("--trace-errors", Path.GetFullPath(r.Tokens[^1].Value)) is { } problem)
            {
                r.AddError(problem);
            }
        });
        var tlsInsecure = new Option<bool>("--tls-insecure") { Description = "Do not check the TLS/WSS server's certificate at all: loopback labs only." };
        var metrics = MetricsExport.Options.Create();
        connectTimeout.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && double.TryParse(r.Tokens[^1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && !(value >= 0.1 && value <= 3600))
            {
                r.AddError($"--connect-timeout must be 0.1..3600 seconds, not {value.ToString(CultureInfo.InvariantCulture)}");
            }
        });
        tlsCert.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && !File.Exists(r.Tokens[^1].Value))
            {
                r.AddError($"--tls-cert '{Path.GetFullPath(r.Tokens[^1].Value)}' does not exist");
            }
        });
        tlsCa.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && !File.Exists(r.Tokens[^1].Value))
            {
                r.AddError($"--tls-ca '{Path.GetFullPath(r.Tokens[^1].Value)}' does not exist");
            }
        });
        local.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && !SipActorsSettings.TryParseLocalAddress(r.Tokens[^1].Value, out _))
            {
                r.AddError($"--local '{r.Tokens[^1].Value}' is not an IP address with an optional port (127.0.0.2, 127.0.0.2:5070, [::1]:5070)");
            }
        });
        var command = new Command("node", "Join a cluster and host account slices for 'sipactors load --cluster'; print membership changes until Ctrl+C / SIGTERM, then leave gracefully (the accounts move to the other nodes).")
        {
            config, connectTimeout, tlsCert, tlsCa, tlsInsecure, local, traceErrors,
        };
        cluster.AddTo(command);
        foreach (var option in metrics.All)
        {
            command.Options.Add(option);
        }
        command.Validators.Add(r =>
        {
            if (r.GetResult(tlsCert) is { Implicit: false } && r.GetResult(tlsInsecure) is { Implicit: false })
            {
                r.AddError("--tls-cert and --tls-insecure exclude each other: trust one certificate, or check none");
            }
            if (r.GetResult(tlsCa) is { Implicit: false } && r.GetResult(tlsInsecure) is { Implicit: false })
            {
                r.AddError("--tls-ca and --tls-insecure exclude each other: trust these authorities, or check none");
            }
        });
        command.SetAction(async (result, cancellationToken) =>
        {
            var file = result.GetValue(config) is { } configFile ? RunConfiguration.Load(configFile.FullName, "--config", accounts: false) : null;
            var hocon = cluster.NodeConfig(result, [ClusterAccountsSettings.Create(file?.Config).Role], file?.Config);
            var settings = Settings(hocon, result.GetValue(connectTimeout), result.GetValue(tlsInsecure), result.GetValue(tlsCert)?.FullName, result.GetValue(tlsCa)?.FullName);
            if (result.GetValue(local) is { } localText && SipActorsSettings.TryParseLocalAddress(localText, out var localEndPoint))
            {
                settings = settings with { LocalEndPoint = localEndPoint };
            }
            var output = TextWriter.Synchronized(result.InvocationConfiguration.Output);
            return await RunAsync(hocon, settings, cluster.Seeds(result), stack => metrics.Start(result, stack), result.GetValue(traceErrors)?.FullName,
                output, result.InvocationConfiguration.Error, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static SipActorsSettings Settings(Akka.Configuration.Config hocon, double? connectTimeout, bool tlsInsecure, string? tlsCert, string? tlsCa)
    {
        SipActorsSettings settings;
        try
        {
            settings = SipActorsSettings.Create(hocon);
        }
        catch (SipActorsConfigurationException e)
        {
            throw new CliUsageException(e.Message);
        }
        return settings with
        {
            Supervisor = settings.Supervisor with
            {
                Account = settings.Supervisor.Account with { ConnectTimeout = connectTimeout is { } s ? TimeSpan.FromSeconds(s) : settings.Supervisor.Account.ConnectTimeout },
            },
            Tls = tlsInsecure || tlsCert is not null || tlsCa is not null ? LoadRunner.Tls(tlsInsecure, tlsCert, tlsCa) : settings.Tls,
        };
    }

    private static async Task<int> RunAsync(Akka.Configuration.Config hocon, SipActorsSettings settings, IReadOnlyList<ClusterEndpoint> seeds,
        Func<SipActors.Sip.UserAgents.SipStack, MetricsExport?> startMetrics, string? traceErrorsPath, TextWriter output, TextWriter error, CancellationToken stop)
    {
        ClusterAccountsSettings clusterSettings;
        try
        {
            clusterSettings = ClusterAccountsSettings.Create(hocon) with { Node = settings.Supervisor };
        }
        catch (SipActorsConfigurationException e)
        {
            throw new CliUsageException(e.Message);
        }
        if (settings.Tls.SkipCertificateValidation)
        {
            await error.WriteLineAsync("WARNING: --tls-insecure: the TLS/WSS server's certificate is NOT checked. Use it only against a lab server on loopback.").ConfigureAwait(false);
        }
        var system = ActorSystem.Create(ClusterEndpoint.SystemName, hocon);
        var stack = SipActorsRuntime.CreateStack(settings);
        var trace = traceErrorsPath is null ? null : ErrorTraceWriter.Start(traceErrorsPath);
        stack.Transactions.Trace = trace;
        try
        {
            using var export = startMetrics(stack);
            var akkaCluster = Akka.Cluster.Cluster.Get(system);
            system.ActorOf(MembershipPrinter.Props(output), "membership-printer");
            var accounts = ClusterAccounts.Host(system, stack, clusterSettings);
            await output.WriteLineAsync($"sipactors node: {akkaCluster.SelfAddress} hosts account slices (role {clusterSettings.Role}); seeds {string.Join(", ", seeds)}; Ctrl+C or SIGTERM to leave the cluster").ConfigureAwait(false);

            // Whoever starts the shutdown (this command on Ctrl+C, Akka's own SIGTERM hook, a downing),
            // the hand-over is announced when it begins and the outcome once the system stopped.
            var shutdown = CoordinatedShutdown.Get(system);
            shutdown.AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "sipactors-node-leaving", async () =>
            {
                var downed = shutdown.ShutdownReason is CoordinatedShutdown.ClusterDowningReason;
                await output.WriteLineAsync($"{Now()} {(downed ? "this node was downed" : "leaving the cluster")}: handing over {await AccountsAsync(accounts).ConfigureAwait(false)}").ConfigureAwait(false);
                return Done.Instance;
            });
            await Task.WhenAny(Task.Delay(Timeout.Infinite, stop), system.WhenTerminated).ConfigureAwait(false);
            try
            {
                await shutdown.Run(CoordinatedShutdown.ClusterLeavingReason.Instance).WaitAsync(LeaveTimeout).ConfigureAwait(false);
                await system.WhenTerminated.WaitAsync(LeaveTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                await output.WriteLineAsync($"{Now()} the leave did not finish within {LeaveTimeout.TotalSeconds:0} s; stopping anyway").ConfigureAwait(false);
                return ExitCodes.Failure;
            }
            if (shutdown.ShutdownReason is CoordinatedShutdown.ClusterDowningReason)
            {
                // Downed (Split Brain Resolver, or an operator): its slices were restarted elsewhere.
                await output.WriteLineAsync($"{Now()} this node was removed from the cluster (downed) and stopped; its accounts carry on on the other nodes").ConfigureAwait(false);
                return ExitCodes.Failure;
            }
            await output.WriteLineAsync($"{Now()} left the cluster").ConfigureAwait(false);
            return ExitCodes.Success;
        }
        finally
        {
            await system.Terminate().ConfigureAwait(false);
            await stack.DisposeAsync().ConfigureAwait(false);
            if (trace is not null)
            {
                // After the stack: the hand-over's failures are traced too.
                await trace.DisposeAsync().ConfigureAwait(false);
                await output.WriteLineAsync($"{Now()} trace errors {traceErrorsPath} ({Plural.Of(trace.Failures, "failed transaction")})").ConfigureAwait(false);
            }
        }
    }

    private static async Task<string> AccountsAsync(ClusterAccounts accounts)
    {
        try
        {
            var status = await accounts.GetNodeStatusAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            return string.Create(CultureInfo.InvariantCulture, $"{Plural.Of(status.Accounts, "account")} ({status.Count(Connections.ConnectionStatus.Registered)} registered)");
        }
        catch (AskTimeoutException)
        {
            return "its accounts";
        }
    }

    private static string Now() => DateTimeOffset.Now.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
}
