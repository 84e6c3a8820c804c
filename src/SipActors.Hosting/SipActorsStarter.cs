using System.Diagnostics.Metrics;
using Akka.Actor;
using Akka.DependencyInjection;
using Akka.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SipActors.Configuration;
using SipActors.Connections;
using SipActors.Hosting.Diagnostics;
using SipActors.Runtime;

namespace SipActors.Hosting;

/// <summary>
/// What <c>WithSipActors</c> does once the actor system runs: final options, settings, the stack,
/// the supervisor and its registration, metrics, the shutdown task, and the first connects.
/// </summary>
internal static class SipActorsStarter
{
    /// <summary>The supervisor's name under /user.</summary>
    public const string SupervisorName = "sip-actors";

    public static async Task StartAsync(ActorSystem system, IActorRegistry registry, IDependencyResolver resolver, SipActorsOptions codeOptions)
    {
        var logger = (resolver.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger("SipActors.Hosting");
        var configuration = resolver.GetService<IConfiguration>();
        var options = FinalOptions(codeOptions, configuration);
        var settings = SipActorsSettings.Create(SipActorsOptionsHocon.ToConfig(options).WithFallback(system.Settings.Config));
        var accounts = Accounts(options, settings);

        var runtime = SipActorsRuntime.Start(system, settings, SupervisorName);
        var supervisor = runtime.Supervisor;
        var instruments = new SipActorsInstruments(resolver.GetService<IMeterFactory>(), runtime.Stack);
        var hosted = new HostedSipActors(runtime, options, instruments, logger);
        foreach (var connect in accounts)
        {
            hosted.Parameters[connect.Account] = connect.Parameters!;
        }
        // A clustered host (WithSipActorsCluster) puts the accounts on the cluster's slices; the
        // supervisor then stays empty, and commands and counts go where the accounts are.
        var placement = Placement.SipActorsPlacementSetup.Of(system);
        hosted.Placement = placement;
        (hosted.Accounts, hosted.Status) = placement is null ? (supervisor, supervisor) : placement.Start(hosted, configuration);
        HostedSipActors.Register(hosted);

        system.ActorOf(SupervisorStatusPoller.Props(hosted.Status, instruments, options.StatusRefreshIntervalOrDefault), "sip-actors-status");
        system.ActorOf(ConnectionMetricsActor.Props(instruments), "sip-actors-metrics");
        AddShutdownTask(hosted);
        // The stack outlives the actors (their PostStop may still send an un-REGISTER) and goes with the system.
        system.RegisterOnTermination(() => _ = DisposeAsync(hosted));

        registry.Register<ConnectionSupervisor>(supervisor);
        if ((options.ConnectAccountsOnStart ?? true) && placement is not null)
        {
            placement.PlaceConfigured(hosted, accounts);
            logger.LogInformation("SipActors started: placing {Accounts} accounts on the cluster ({FromHocon} from HOCON sip-actors.accounts)", accounts.Count, settings.Accounts.Count);
        }
        else if (options.ConnectAccountsOnStart ?? true)
        {
            if (accounts.Count > 0)
            {
                // Answered once every account was handed its Connect; the connects go on after start-up.
                await supervisor.Ask<CommandResult>(new ConnectAll(accounts), TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            }
            logger.LogInformation("SipActors started: connecting {Accounts} accounts ({FromHocon} from HOCON sip-actors.accounts)", accounts.Count, settings.Accounts.Count);
        }
        else
        {
            logger.LogInformation("SipActors started: {Accounts} accounts known, not connected (ConnectAccountsOnStart = false)", accounts.Count);
        }
    }

    /// <summary>Code-set values, then <c>IConfiguration</c> over them (operators override code), then validation naming keys.</summary>
    internal static SipActorsOptions FinalOptions(SipActorsOptions codeOptions, IConfiguration? configuration)
    {
        var options = codeOptions.Clone();
        configuration?.GetSection(SipActorsOptions.SectionName).Bind(options);
        var errors = SipActorsOptionsValidator.Errors(options);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(SipActorsOptions.SectionName, typeof(SipActorsOptions), errors);
        }
        return options;
    }

    /// <summary>HOCON <c>sip-actors.accounts</c> then the options' accounts; an id in both is an error naming both keys.</summary>
    private static List<Connect> Accounts(SipActorsOptions options, SipActorsSettings settings)
    {
        var accounts = new List<Connect>(settings.Accounts);
        var hoconIndex = settings.Accounts.Select((c, i) => (c.Account, i)).ToDictionary(x => x.Account, x => x.i);
        var errors = new List<string>();
        for (var i = 0; i < options.Accounts.Count; i++)
        {
            var account = options.Accounts[i];
            var id = new AccountId(account.Id!);
            if (hoconIndex.TryGetValue(id, out var h))
            {
                errors.Add($"{SipActorsOptions.SectionName}:Accounts:{i}:Id '{id}' is already used by sip-actors.accounts[{h}]");
                continue;
            }
            accounts.Add(new Connect(id, account.ToParameters(settings.RegisterExpires, settings.ConnectionRecoveryMinInterval, settings.ConnectionRecoveryMaxInterval)));
        }
        return errors.Count == 0 ? accounts : throw new OptionsValidationException(SipActorsOptions.SectionName, typeof(SipActorsOptions), errors);
    }

    private static void AddShutdownTask(HostedSipActors hosted)
    {
        var system = hosted.System;
        var log = hosted.Logger;
        var phaseTimeout = system.Settings.Config.GetTimeSpan("akka.coordinated-shutdown.phases.service-unbind.timeout", null, false);
        var wait = hosted.Options.ShutdownTimeoutOrDefault;
        if (wait + SipActorsOptionsHocon.ShutdownPhaseMargin > phaseTimeout)
        {
            var cut = phaseTimeout - SipActorsOptionsHocon.ShutdownPhaseMargin;
            wait = cut > TimeSpan.Zero ? cut : phaseTimeout;
            log.LogWarning("SipActors:ShutdownTimeout is cut to {Wait}: akka.coordinated-shutdown.phases.service-unbind.timeout is {Phase}; set ShutdownTimeout in code (WithSipActors) or raise the phase timeout in HOCON",
                wait, phaseTimeout);
        }
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceUnbind, "sip-actors-unregister", async () =>
        {
            if (hosted.Placement is { } placement)
            {
                // The accounts belong to the cluster, not to this node: they are not disconnected
                // here (a Disconnect would also forget them cluster-wide); sharding hands the
                // node's slices over when it leaves.
                log.LogInformation("SipActors stopping: {OnShutdown}", placement.OnShutdown);
                return Akka.Done.Instance;
            }
            var accounts = hosted.Parameters.Count;
            log.LogInformation("SipActors stopping: disconnecting every account (un-REGISTER), waiting at most {Wait}", wait);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                var result = await hosted.Runtime.DisconnectAllAsync(wait).ConfigureAwait(false);
                if (result.IsSuccess)
                {
                    log.LogInformation("SipActors stopped: every account disconnected in {Elapsed}", System.Diagnostics.Stopwatch.GetElapsedTime(started));
                }
                else
                {
                    log.LogWarning("SipActors stopping: some accounts did not un-register cleanly ({Error}); their bindings expire at the server", result.Error);
                }
            }
            catch (AskTimeoutException)
            {
                log.LogWarning("SipActors stopping: the accounts did not all disconnect within {Wait} (about {Accounts} known); the rest expire at the server", wait, accounts);
            }
            return Akka.Done.Instance;
        });
    }

    private static async Task DisposeAsync(HostedSipActors hosted)
    {
        try
        {
            hosted.Instruments.Dispose();
            // The system is terminating and its actors are gone: only the stack is left to close.
            await hosted.Runtime.CloseStackAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            hosted.Logger.LogWarning(e, "SipActors: disposing the SIP stack failed");
        }
    }
}
