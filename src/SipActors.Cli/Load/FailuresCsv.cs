using System.Globalization;
using CsvHelper;

namespace SipActors.Cli.Load;

/// <summary>
/// <c>--failures FILE.csv</c>: every failed account as <c>id,cause,status,detail</c> (RFC 4180,
/// quoted where a field needs it), in the order they failed. Details are the accounts' error
/// texts, which never carry a password.
/// </summary>
internal static class FailuresCsv
{
    public static string Render(IEnumerable<FailedAccount> failures)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = new CsvWriter(text, CultureInfo.InvariantCulture))
        {
            foreach (var header in new[] { "id", "cause", "status", "detail" })
            {
                csv.WriteField(header);
            }
            csv.NextRecord();
            foreach (var failure in failures)
            {
                csv.WriteField(failure.Id);
                csv.WriteField(failure.Cause);
                csv.WriteField(failure.Status?.ToString(CultureInfo.InvariantCulture) ?? "");
                csv.WriteField(failure.Detail);
                csv.NextRecord();
            }
        }
        return text.ToString();
    }
}
