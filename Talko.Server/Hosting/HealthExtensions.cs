using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;
using Talko.Core.Instances;
using Talko.Server.Data;
using Talko.Server.Kernel;

namespace Talko.Server.Hosting;

public static class HealthExtensions
{
    private const string Ready = "ready";

    public static IHostApplicationBuilder AddTalkoHealth(this IHostApplicationBuilder builder, TalkoMode mode)
    {
        var checks = builder.Services.AddHealthChecks()
            .AddCheck<DrainHealthCheck>("serving", tags: [Ready])
            .AddCheck<DatabaseHealthCheck>("database", tags: [Ready]);
        if (mode.UsesRedis)
        {
            checks.AddCheck<RedisHealthCheck>("redis", tags: [Ready]);
        }

        return builder;
    }

    /// <summary>
    /// /health/live: the process answers (no dependencies, so a database outage never gets instances
    /// restarted). /health/ready: it should get new work; 503 while draining or a dependency is down.
    /// </summary>
    public static WebApplication MapTalkoHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteJson });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(Ready),
            ResponseWriter = WriteJson,
            // Draining is Degraded (see DrainHealthCheck) and must still turn the load balancer away.
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
        return app;
    }

    private static Task WriteJson(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(http.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), e.Value.Description }),
        });
    }
}

internal sealed class DrainHealthCheck(InstanceLifecycle lifecycle) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        // Degraded, not Unhealthy: a drain is planned, and the health-check service logs every Unhealthy probe as an
        // Error, which would fill a blue/green switch with an error line per load-balancer probe.
        Task.FromResult(lifecycle.IsDraining ? HealthCheckResult.Degraded("draining") : HealthCheckResult.Healthy("serving"));
}

internal sealed class DatabaseHealthCheck(TalkoDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await db.Database.CanConnectAsync(cancellationToken) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("cannot connect");
}

internal sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var latency = await redis.GetDatabase().PingAsync().WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
            return HealthCheckResult.Healthy($"ping {latency.TotalMilliseconds:F1} ms");
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy(exception.Message);
        }
    }
}
