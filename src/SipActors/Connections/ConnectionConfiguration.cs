using System.Text;

namespace SipActors.Connections;

/// <summary>
/// What a connection runs with (the seed's <c>TConnectionConfigurationWithUa</c>): the resolved
/// parameters and read-only facts about the user agent instead of a JsSIP object.
/// </summary>
public sealed record ConnectionConfiguration(
    string SipServerIp,
    string SipServerUrl,
    string DisplayName,
    bool Register,
    string User,
    string? Password,
    string? Contact,
    string? LocalEndPoint)
{
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("SipServerIp = ").Append(SipServerIp).Append(", SipServerUrl = ").Append(SipServerUrl)
            .Append(", DisplayName = ").Append(DisplayName).Append(", Register = ").Append(Register)
            .Append(", User = ").Append(User).Append(", Password = ").Append(Password is null ? "null" : "***")
            .Append(", Contact = ").Append(Contact).Append(", LocalEndPoint = ").Append(LocalEndPoint);
        return true;
    }
}
