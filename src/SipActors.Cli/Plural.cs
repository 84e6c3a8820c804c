using System.Globalization;

namespace SipActors.Cli;

/// <summary>Counts with their noun: "1 account", "2 accounts".</summary>
internal static class Plural
{
    public static string Of(long count, string noun, string? plural = null)
        => string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? noun : plural ?? noun + "s")}");
}
