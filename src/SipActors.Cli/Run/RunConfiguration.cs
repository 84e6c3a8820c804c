using Akka.Configuration;
using SipActors.Cli.Configuration;
using SipActors.Configuration;

namespace SipActors.Cli.Run;

/// <summary>The <c>--config</c> file of <c>sipactors run</c>: HOCON merged over SipActors' defaults, with at least one account.</summary>
internal sealed record RunConfiguration(Config Config, SipActorsSettings Settings)
{
    /// <summary>Reads and checks the file; every problem is a <see cref="CliUsageException"/> naming the file and the key.</summary>
    /// <param name="path">The file.</param>
    /// <param name="option">The option that named it, for errors.</param>
    /// <param name="accounts">Whether the file must list accounts (<c>run</c>), or must not (<c>load</c> makes its own).</param>
    public static RunConfiguration Load(string path, string option = "--config", bool accounts = true)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliUsageException($"{option} '{path}' cannot be read: {e.Message}");
        }
        Config config;
        try
        {
            config = HoconText.Parse(text, path);
        }
        catch (SipActorsConfigurationException e)
        {
            // file:line:column and what is wrong, never the line: it may hold a password.
            throw new CliUsageException(e.Message);
        }
        // Before the settings are read: a misspelt "pasword" would otherwise come out as "Password is required".
        KnownSettings.Check(config, path);
        SipActorsSettings settings;
        try
        {
            settings = SipActorsSettings.Create(config);
        }
        catch (SipActorsConfigurationException e)
        {
            throw new CliUsageException($"{path}: {e.Message}");
        }
        catch (Exception e) when (e is not CliUsageException)
        {
            // Akka's typed getters throw their own exceptions for a value of the wrong type.
            throw new CliUsageException($"{path}: sip-actors: {e.Message}");
        }
        if (!accounts)
        {
            return settings.Accounts.Count == 0
                ? new RunConfiguration(config, settings)
                : throw new CliUsageException($"{path}: sip-actors.accounts is for 'sipactors run': load makes its accounts from --accounts or --accounts-file");
        }
        if (settings.Accounts.Count == 0)
        {
            throw new CliUsageException($"{path}: sip-actors.accounts is empty or missing: there is no account to run");
        }
        return new RunConfiguration(config, settings);
    }
}
