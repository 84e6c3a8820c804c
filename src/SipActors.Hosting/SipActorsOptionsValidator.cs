using System.Globalization;
using Microsoft.Extensions.Options;
using SipActors.Calls;
using SipActors.Connections;

namespace SipActors.Hosting;

/// <summary>
/// Checks <see cref="SipActorsOptions"/> at start-up; every failure names its configuration key
/// (<c>SipActors:ConnectTimeout</c>, <c>SipActors:Accounts:2:SipServerUrl</c>) and never shows a password.
/// </summary>
public sealed class SipActorsOptionsValidator : IValidateOptions<SipActorsOptions>
{
    private const string Prefix = SipActorsOptions.SectionName + ":";

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SipActorsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = Errors(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Every problem of <paramref name="options"/>, each starting with its key; empty when valid.</summary>
    public static IReadOnlyList<string> Errors(SipActorsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        Range(errors, nameof(options.RegisterExpires), options.RegisterExpires, 1, 86400);
        Positive(errors, nameof(options.ConnectionRecoveryMinInterval), options.ConnectionRecoveryMinInterval);
        Positive(errors, nameof(options.ConnectionRecoveryMaxInterval), options.ConnectionRecoveryMaxInterval);
        if (options.ConnectionRecoveryMinInterval is { } min && options.ConnectionRecoveryMaxInterval is { } max && max < min)
        {
            errors.Add($"{Prefix}{nameof(options.ConnectionRecoveryMaxInterval)}: {max} is below {Prefix}{nameof(options.ConnectionRecoveryMinInterval)} {min}");
        }
        Positive(errors, nameof(options.ConnectTimeout), options.ConnectTimeout);
        Range(errors, nameof(options.ConnectRateLimit), options.ConnectRateLimit, 1, 1_000_000);
        Range(errors, nameof(options.MaxConcurrentConnects), options.MaxConcurrentConnects, 1, 1_000_000);
        Range(errors, nameof(options.UdpReceiveBufferSize), options.UdpReceiveBufferSize, 65536, int.MaxValue);
        Positive(errors, nameof(options.CommandTimeout), options.CommandTimeout);
        Positive(errors, nameof(options.ShutdownTimeout), options.ShutdownTimeout);
        Range(errors, nameof(options.EventBufferCapacity), options.EventBufferCapacity, 1, 10_000_000);
        Positive(errors, nameof(options.StatusRefreshInterval), options.StatusRefreshInterval);
        ValidateAccounts(errors, options);
        return errors;
    }

    private static void ValidateAccounts(List<string> errors, SipActorsOptions options)
    {
        var firstIndexOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < options.Accounts.Count; i++)
        {
            var account = options.Accounts[i];
            var key = string.Create(CultureInfo.InvariantCulture, $"{Prefix}Accounts:{i}:");
            if (account is null)
            {
                errors.Add($"{key} the account is empty");
                continue;
            }
            if (string.IsNullOrWhiteSpace(account.Id))
            {
                errors.Add($"{key}Id is required");
            }
            else if (!firstIndexOf.TryAdd(account.Id, i))
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"{key}Id '{account.Id}' is already used by {Prefix}Accounts:{firstIndexOf[account.Id]}"));
            }
            var badPolicy = !string.IsNullOrWhiteSpace(account.IncomingCalls) && !IncomingCallPolicyNames.TryParse(account.IncomingCalls, out _);
            if (badPolicy)
            {
                errors.Add($"{key}{nameof(account.IncomingCalls)}: '{account.IncomingCalls}' is not one of {IncomingCallPolicyNames.Expected}");
            }
            // The parameters' own check names the field first ("SipServerUrl ..."), which makes the key.
            // Recovery intervals are global options (checked above); a bad policy is reported above with its value.
            var parameters = account.ToParameters(300, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(6));
            foreach (var error in parameters.Validate())
            {
                if (!error.StartsWith("ConnectionRecovery", StringComparison.Ordinal)
                    && !(badPolicy && error.StartsWith(nameof(ConnectionParameters.IncomingCalls), StringComparison.Ordinal)))
                {
                    errors.Add(key + error);
                }
            }
        }
    }

    private static void Range(List<string> errors, string name, int? value, int min, int max)
    {
        if (value is { } v && (v < min || v > max))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{Prefix}{name}: {v} is outside {min}..{max}"));
        }
    }

    private static void Positive(List<string> errors, string name, TimeSpan? value)
    {
        if (value is { } v && v <= TimeSpan.Zero)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{Prefix}{name}: must be a positive duration, not {v}"));
        }
    }
}
