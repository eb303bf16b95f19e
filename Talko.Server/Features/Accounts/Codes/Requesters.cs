namespace Talko.Server.Features.Accounts.Codes;

/// <summary>Who asks for a code, as the abuse counters name them.</summary>
internal static class Requesters
{
    /// <summary>
    /// An anonymous requester is its source address (after the trusted proxies' X-Forwarded-For, see
    /// ForwardedHeadersSetup), so one attacker's requests count against the attacker's address only.
    /// </summary>
    public static string Address(HttpContext http) => $"ip:{http.Connection.RemoteIpAddress?.ToString() ?? "unknown"}";

    /// <summary>A signed-in user adding an identifier counts as themself, wherever they connect from.</summary>
    public static string User(Guid userId) => $"user:{userId:N}";
}
