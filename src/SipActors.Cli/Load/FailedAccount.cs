using System.Text.Json.Serialization;

namespace SipActors.Cli.Load;

/// <summary>
/// One account whose connect failed: its id, the cause (as in <see cref="LoadReport.FailuresByCause"/>),
/// the status of its last failed REGISTER if one was answered, and the error the account reported.
/// </summary>
public sealed record FailedAccount(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("cause")] string Cause,
    [property: JsonPropertyName("status")] int? Status,
    [property: JsonPropertyName("detail")] string Detail);
