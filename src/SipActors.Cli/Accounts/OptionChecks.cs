using System.CommandLine.Parsing;
using System.Globalization;

namespace SipActors.Cli.Accounts;

/// <summary>The range and file checks the commands' options share, each error naming the option.</summary>
internal static class OptionChecks
{
    /// <summary>The option's value; false when it did not convert (System.CommandLine reports that error itself).</summary>
    public static bool TryValue<T>(OptionResult r, out T? value)
    {
        try
        {
            value = r.GetValueOrDefault<T>();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default;
            return false;
        }
    }

    /// <summary>A whole number within min..max (<typeparamref name="T"/> is the option's type: int or int?).</summary>
    public static void Range<T>(OptionResult r, string name, int min, int max)
    {
        if (TryValue<T>(r, out var value) && value is int v && (v < min || v > max))
        {
            r.AddError(string.Create(CultureInfo.InvariantCulture, $"{name} must be {min}..{max}, not {v}"));
        }
    }

    /// <summary>A number of seconds within min..max, for double and double? options alike.</summary>
    public static void Seconds(OptionResult r, string name, double min, double max)
    {
        if (TryValue<object>(r, out var value) && value is double v && !(v >= min && v <= max))
        {
            r.AddError(string.Create(CultureInfo.InvariantCulture, $"{name} must be {min}..{max} seconds, not {v}"));
        }
    }

    /// <summary>Checked before the run: a report that cannot be written would be found out only at its end.</summary>
    public static void WritableFile(OptionResult r, string name)
    {
        if (TryValue<FileInfo>(r, out var file) && file is not null && OutputFiles.Problem(name, file.FullName) is { } problem)
        {
            r.AddError(problem);
        }
    }

    public static void ExistingFile(OptionResult r, string name)
    {
        if (TryValue<FileInfo>(r, out var file) && file is { Exists: false })
        {
            r.AddError($"{name} '{file.FullName}' does not exist");
        }
    }
}
