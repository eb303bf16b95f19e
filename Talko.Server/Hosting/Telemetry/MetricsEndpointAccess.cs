using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Talko.Server.Hosting.Telemetry;

/// <summary>
/// Who may read /metrics (docs/operations.md): with a scrape key, whoever presents it as a bearer token; without one,
/// only a caller on the loopback interface whose request carries no forwarding headers (so a request relayed by a
/// load balancer on the same host is refused). The metrics carry no ids, but they do describe the deployment's load.
/// </summary>
internal static class MetricsEndpointAccess
{
    public static void Guard(IApplicationBuilder branch) => branch.Use(async (http, next) =>
    {
        var options = http.RequestServices.GetRequiredService<IOptions<TelemetryOptions>>().Value;
        var refusal = Refusal(http, options);
        if (refusal is null)
        {
            await next(http);
            return;
        }

        var (status, title) = refusal.Value;
        await Results.Problem(statusCode: status, title: title).ExecuteAsync(http);
    });

    private static (int Status, string Title)? Refusal(HttpContext http, TelemetryOptions options)
    {
        if (!string.IsNullOrEmpty(options.ScrapeKey))
        {
            var header = http.Request.Headers.Authorization.ToString();
            const string scheme = "Bearer ";
            var presented = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : "";
            return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(options.ScrapeKey))
                ? null
                : (StatusCodes.Status401Unauthorized, "A valid scrape key is required (Authorization: Bearer).");
        }

        var forwarded = http.Request.Headers.ContainsKey("X-Forwarded-For") || http.Request.Headers.ContainsKey("X-Original-For")
            || http.Request.Headers.ContainsKey("Forwarded");
        return http.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote) && !forwarded
            ? null
            : (StatusCodes.Status403Forbidden, "Metrics are served to loopback callers only; set Talko:Telemetry:ScrapeKey to scrape from elsewhere.");
    }
}
