using SipActors.Sip.Transports;
using SipActors.Sip.UserAgents;

namespace SipActors.Connections;

/// <summary>A connect's parameters as the options of its user agent (CONTRACT.md §3: display name, extra headers, X-Vinteo-Remote).</summary>
internal static class AccountUserAgentOptions
{
    public static SipUserAgentOptions From(ConnectionParameters parameters, SipServerTarget target, string user, ConnectionActorSettings settings)
    {
        // An array, and the shared empty one when there are none (the usual case): every REGISTER
        // walks these, and a list's enumerator through the interface is an allocation per walk.
        var remote = !string.IsNullOrWhiteSpace(parameters.RemoteAddress) ? 1 : 0;
        var count = remote + parameters.ExtraHeaders.Count;
        var extra = count == 0 ? [] : new KeyValuePair<string, string>[count];
        if (remote == 1)
        {
            extra[0] = new("X-Vinteo-Remote", parameters.RemoteAddress!.Trim());
        }
        for (var i = 0; i < parameters.ExtraHeaders.Count; i++)
        {
            // Validated as "Name: value" before a connect gets here.
            var header = parameters.ExtraHeaders[i];
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            extra[remote + i] = new(header[..colon].Trim(), header[(colon + 1)..].Trim());
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
