using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SipActors.Configuration;
using SipActors.Hosting.Events;

namespace SipActors.Hosting;

/// <summary>
/// SipActors in a generic host. With an actor system of your own:
/// <c>services.AddSipActorsServices().AddAkka("app", b =&gt; b.WithSipActors())</c>; without one:
/// <c>services.AddSipActors()</c>.
/// </summary>
public static class SipActorsHostingExtensions
{
    /// <summary>
    /// Adds SipActors to the actor system: the <c>sip-actors</c> HOCON defaults (appended, so your
    /// HOCON wins), a SIP stack (disposed when the system terminates), the
    /// <see cref="Connections.ConnectionSupervisor"/> at <c>/user/sip-actors</c> registered in the
    /// <see cref="ActorRegistry"/> under its type, the accounts of <see cref="SipActorsOptions.Accounts"/>
    /// and HOCON <c>sip-actors.accounts</c>, the hosting metrics, and a CoordinatedShutdown task that
    /// disconnects (un-registers) every account before the system stops. Options come from the
    /// <c>SipActors</c> configuration section; invalid ones fail start-up naming the key. Never calls AddAkka.
    /// </summary>
    public static AkkaConfigurationBuilder WithSipActors(this AkkaConfigurationBuilder builder)
        => builder.WithSipActors(new SipActorsOptions());

    /// <summary>As <see cref="WithSipActors(AkkaConfigurationBuilder)"/>, with code-set options under the <c>SipActors</c> configuration section.</summary>
    public static AkkaConfigurationBuilder WithSipActors(this AkkaConfigurationBuilder builder, Action<SipActorsOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new SipActorsOptions();
        configure(options);
        return builder.WithSipActors(options);
    }

    /// <summary>As <see cref="WithSipActors(AkkaConfigurationBuilder)"/>, with code-set options under the <c>SipActors</c> configuration section.</summary>
    public static AkkaConfigurationBuilder WithSipActors(this AkkaConfigurationBuilder builder, SipActorsOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        // Copied now: later changes to the caller's instance do not leak into a running system.
        var codeOptions = options.Clone();
        return builder
            .AddHocon(SipActorsSettings.DefaultConfig, HoconAddMode.Append)
            .AddHocon(SipActorsOptionsHocon.ShutdownPhase(codeOptions.ShutdownTimeoutOrDefault), HoconAddMode.Prepend)
            .WithActors((system, registry, resolver) => SipActorsStarter.StartAsync(system, registry, resolver, codeOptions));
    }

    /// <summary>
    /// For a host that has no actor system: adds one named <paramref name="actorSystemName"/> with
    /// Akka's logging sent to Microsoft.Extensions.Logging, <c>WithSipActors</c>, and
    /// <see cref="AddSipActorsServices"/>. A host that already calls AddAkka uses those two instead.
    /// </summary>
    public static IServiceCollection AddSipActors(this IServiceCollection services, Action<SipActorsOptions>? configure = null, string actorSystemName = "sipactors")
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new SipActorsOptions();
        configure?.Invoke(options);
        return services
            .AddSipActorsServices()
            .AddAkka(actorSystemName, builder => builder
                .ConfigureLoggers(loggers =>
                {
                    loggers.ClearLoggers();
                    loggers.AddLoggerFactory();
                })
                .WithSipActors(options));
    }

    /// <summary>
    /// Registers the services for code outside actors: <see cref="ISipAccounts"/>,
    /// <see cref="ISipEvents"/>, and a start-up check of the <c>SipActors</c> configuration section
    /// (<see cref="SipActorsOptionsValidator"/> with ValidateOnStart), so a bad key stops the host
    /// before anything connects. That check sees the configuration section alone; values set in
    /// code are checked together with it when the actor system starts. Pair it with
    /// <c>WithSipActors()</c> in AddAkka.
    /// </summary>
    public static IServiceCollection AddSipActorsServices(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddMetrics();
        services.AddOptions<SipActorsOptions>().BindConfiguration(SipActorsOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SipActorsOptions>, SipActorsOptionsValidator>());
        services.TryAddSingleton<ISipAccounts, SipAccounts>();
        services.TryAddSingleton<ISipEvents, SipEvents>();
        return services;
    }
}
