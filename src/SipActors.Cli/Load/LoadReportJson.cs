using System.Text.Json;

namespace SipActors.Cli.Load;

/// <summary>The <c>--report</c> file: <see cref="LoadReport"/> as indented JSON.</summary>
internal static class LoadReportJson
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    public static string Serialize(LoadReport report) => JsonSerializer.Serialize(report, Options);

    public static LoadReport? Deserialize(string json) => JsonSerializer.Deserialize<LoadReport>(json, Options);
}
