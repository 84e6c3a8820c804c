using System.Globalization;
using System.Text;
using Akka.Configuration;

namespace SipActors.Hosting;

/// <summary>The <c>sip-actors</c> HOCON for the options that were set; unset ones leave the HOCON below them alone.</summary>
internal static class SipActorsOptionsHocon
{
    public static Config ToConfig(SipActorsOptions options)
    {
        var hocon = new StringBuilder();
        Add(hocon, "register-expires", options.RegisterExpires);
        Add(hocon, "connection-recovery-min-interval", options.ConnectionRecoveryMinInterval);
        Add(hocon, "connection-recovery-max-interval", options.ConnectionRecoveryMaxInterval);
        Add(hocon, "connect-timeout", options.ConnectTimeout);
        Add(hocon, "connect-rate-limit", options.ConnectRateLimit);
        Add(hocon, "max-concurrent-connects", options.MaxConcurrentConnects);
        Add(hocon, "transport.udp.receive-buffer-size", options.UdpReceiveBufferSize);
        return hocon.Length == 0 ? Config.Empty : ConfigurationFactory.ParseString(hocon.ToString());
    }

    /// <summary>Raises CoordinatedShutdown's <c>service-unbind</c> phase timeout to fit the un-registration wait.</summary>
    public static Config ShutdownPhase(TimeSpan shutdownTimeout)
        => ConfigurationFactory.ParseString(string.Create(CultureInfo.InvariantCulture,
            $"akka.coordinated-shutdown.phases.service-unbind.timeout = {(long)(shutdownTimeout + ShutdownPhaseMargin).TotalMilliseconds}ms"));

    /// <summary>Room in the phase for the supervisor's answer and the log line after the wait gave up.</summary>
    public static TimeSpan ShutdownPhaseMargin { get; } = TimeSpan.FromSeconds(5);

    private static void Add(StringBuilder hocon, string key, int? value)
    {
        if (value is { } v)
        {
            hocon.Append(CultureInfo.InvariantCulture, $"sip-actors.{key} = {v}\n");
        }
    }

    private static void Add(StringBuilder hocon, string key, TimeSpan? value)
    {
        if (value is { } v)
        {
            hocon.Append(CultureInfo.InvariantCulture, $"sip-actors.{key} = {(long)Math.Ceiling(v.TotalMilliseconds)}ms\n");
        }
    }
}
