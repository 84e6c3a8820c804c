using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace SipActors.Cli;

/// <summary>
/// Number options that say what is wrong in words: System.CommandLine's own message names the
/// .NET type (<c>System.Nullable`1[System.Int32]</c>), which tells a user nothing.
/// </summary>
internal static class OptionParsers
{
    /// <summary>A whole number; <paramref name="what"/> ends the error, e.g. "a whole number of seconds".</summary>
    public static Option<int> WholeNumber(this Option<int> option, string what = "a whole number")
    {
        option.CustomParser = r => Parse(r, option, what, out int value) ? value : option.DefaultValueFactory?.Invoke(r) ?? 0;
        return option;
    }

    public static Option<int?> WholeNumber(this Option<int?> option, string what = "a whole number")
    {
        option.CustomParser = r => Parse(r, option, what, out int value) ? value : null;
        return option;
    }

    /// <summary>A number, decimals allowed (with a point, whatever the culture).</summary>
    public static Option<double> Number(this Option<double> option, string what = "a number")
    {
        option.CustomParser = r => Parse(r, option, what, out double value) ? value : option.DefaultValueFactory?.Invoke(r) ?? 0;
        return option;
    }

    public static Option<double?> Number(this Option<double?> option, string what = "a number")
    {
        option.CustomParser = r => Parse(r, option, what, out double value) ? value : null;
        return option;
    }

    private static bool Parse<T>(ArgumentResult r, Option option, string what, out T value)
        where T : struct, INumber<T>
    {
        value = default;
        if (r.Tokens.Count == 0)
        {
            return false;
        }
        var text = r.Tokens[^1].Value;
        var style = typeof(T) == typeof(int) ? NumberStyles.Integer : NumberStyles.Float;
        if (T.TryParse(text, style, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }
        r.AddError($"{option.Name} '{text}' is not {what}");
        return false;
    }
}
