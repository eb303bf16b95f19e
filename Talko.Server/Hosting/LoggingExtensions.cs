using System.Security.Claims;
using Serilog;
using Serilog.Context;
using Serilog.Events;
using Serilog.Formatting.Compact;
using Talko.Server.Features.Realtime;
using Talko.Server.Kernel;

namespace Talko.Server.Hosting;

public static class LoggingExtensions
{
    /// <summary>Route values whose presence names what a request is about; each becomes a log property.</summary>
    private static readonly (string RouteKey, string Property)[] ScopedRouteValues =
    [
        ("conversationId", "ConversationId"),
        ("callId", "CallId"),
        ("groupId", "GroupId"),
    ];

    /// <summary>
    /// Serilog for everything: human-readable in Development, compact JSON elsewhere; every line carries
    /// the instance id. Levels and overrides can be set under "Serilog" in configuration.
    /// </summary>
    public static IHostApplicationBuilder AddTalkoLogging(this IHostApplicationBuilder builder, InstanceIdentity instance)
    {
        var development = builder.Environment.IsDevelopment();
        builder.Services.AddSerilog((services, logger) =>
        {
            logger
                .MinimumLevel.Information()
                .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
                .MinimumLevel.Override("Microsoft.EntityFrameworkCore", LogEventLevel.Warning)
                .ReadFrom.Configuration(builder.Configuration)
                // Sinks registered as ILogEventSink services (tests capture lines this way) join the console.
                .ReadFrom.Services(services)
                // A hub method's deliberate refusal is logged once, at Information, by the hub filter.
                .Filter.ByExcluding(RefusedHubCallFilter.IsDispatcherReportOfRefusal)
                .Enrich.FromLogContext()
                .Enrich.WithProperty("InstanceId", instance.Id);
            if (development)
            {
                logger.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj} {Properties:j}{NewLine}{Exception}");
            }
            else
            {
                logger.WriteTo.Console(new RenderedCompactJsonFormatter());
            }
        },
        // Each host logs through its own logger. Otherwise the static Log.Logger is shared: with several hosts
        // in one process (the tests) the last one built takes every host's lines, and the first disposed
        // silences them all.
        preserveStaticLogger: true);
        return builder;
    }

    /// <summary>Prometheus scrapes every few seconds: a served scrape logs at Debug, so the log keeps the requests people make (a refused one stays a Warning).</summary>
    private static bool IsSuccessfulScrape(HttpContext http, Exception? exception) =>
        exception is null && http.Response.StatusCode == StatusCodes.Status200OK
        && http.Request.Path.StartsWithSegments(Telemetry.TelemetryExtensions.MetricsPath, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A load balancer probes every few seconds, and a 503 from readiness is the answer it is meant to get while the
    /// instance drains or a dependency is away (both logged where they happen): probes are Debug when healthy and
    /// Information when not, never an Error line per probe.
    /// </summary>
    private static LogEventLevel? ProbeLevel(HttpContext http, Exception? exception) =>
        exception is null && http.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase)
            ? http.Response.StatusCode switch
            {
                StatusCodes.Status200OK => LogEventLevel.Debug,
                StatusCodes.Status503ServiceUnavailable => LogEventLevel.Information,
                _ => null,
            }
            : null;

    /// <summary>
    /// One log line per request, written when the response is final: first in the pipeline, so a client's
    /// mistake that a later middleware turns into a 400 is logged as that 400 (see <see cref="RequestLogLevels"/>),
    /// not as the exception on its way out.
    /// </summary>
    public static WebApplication UseTalkoRequestLogging(this WebApplication app)
    {
        app.UseSerilogRequestLogging(options =>
        {
            // This host's logger, not the static Log.Logger (see AddTalkoLogging).
            options.Logger = app.Services.GetRequiredService<Serilog.ILogger>();
            options.GetLevel = (http, _, exception) => IsSuccessfulScrape(http, exception)
                ? LogEventLevel.Debug
                : ProbeLevel(http, exception) ?? RequestLogLevels.For(http.Response.StatusCode, exception);
            options.EnrichDiagnosticContext = (diagnostics, http) =>
            {
                if (UserIdOf(http) is { } userId)
                {
                    diagnostics.Set("UserId", userId);
                }

                foreach (var (routeKey, property) in ScopedRouteValues)
                {
                    if (http.Request.RouteValues.TryGetValue(routeKey, out var value) && value is not null)
                    {
                        diagnostics.Set(property, value);
                    }
                }
            };
        });
        return app;
    }

    /// <summary>Pushes the user, conversation and call ids onto the log context, so every line written while handling the request carries them.</summary>
    public static WebApplication UseTalkoLogContext(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            var scopes = new List<IDisposable>();
            try
            {
                if (UserIdOf(http) is { } userId)
                {
                    scopes.Add(LogContext.PushProperty("UserId", userId));
                }

                foreach (var (routeKey, property) in ScopedRouteValues)
                {
                    if (http.Request.RouteValues.TryGetValue(routeKey, out var value) && value is not null)
                    {
                        scopes.Add(LogContext.PushProperty(property, value));
                    }
                }

                await next(http);
            }
            finally
            {
                scopes.ForEach(scope => scope.Dispose());
            }
        });
        return app;
    }

    private static string? UserIdOf(HttpContext http) =>
        http.User.Identity?.IsAuthenticated == true ? http.User.FindFirstValue("sub") ?? http.User.FindFirstValue(ClaimTypes.NameIdentifier) : null;
}
