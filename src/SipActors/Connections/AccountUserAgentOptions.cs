using SipActors.Sip.Transports;
using SipActors.Sip.UserAgents;

namespace SipActors.Connections;

/// <summary>A connect's parameters as the options of its user agent (CONTRACT.md §3: display name, extra headers, X-Vinteo-Remote).</summary>
internal static class AccountUserAgentOptions
{
    public static SipUserAgentOptions From(ConnectionParameters parameters, SipServerTarget target, string user, ConnectionActorSettings settings)
    {
        var extra = new List<KeyValuePair<string, string>>(parameters.ExtraHeaders.Count + 1);
        if (!string.IsNullOrWhiteSpace(parameters.RemoteAddress))
        {
            extra.Add(new("X-Vinteo-Remote", parameters.RemoteAddress.Trim()));
        }
        foreach (var header in parameters.ExtraHeaders)
        {
            // Validated as "Name: value" before a connect gets here.
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            extra.Add(new(header[..colon].Trim(), header[(colon + 1)..].Trim()));
        }
        var displayName = parameters.NormalizedDisplayName;
        return new SipUserAgentOptions
        {
            User = user,
            Domain = parameters.SipServerIp,
            Target = target,
            Password = parameters.Password,
            AuthUser = parameters.AuthUser,
            DisplayName = displayName.Length == 0 ? null : displayName,
            Expires = parameters.RegisterExpires,
            UserAgent = parameters.UserAgent ?? settings.DefaultUserAgent,
            ExtraHeaders = extra,
        };
    }
}
