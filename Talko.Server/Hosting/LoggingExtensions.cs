using System.Security.Claims;
using Serilog;
using Serilog.Context;
using Serilog.Events;
using Serilog.Formatting.Compact;

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
        });
        return builder;
    }

    /// <summary>
    /// One log line per request, and the user, conversation and call ids pushed onto the log context so
    /// every line written while handling the request carries them.
    /// </summary>
    public static WebApplication UseTalkoRequestLogging(this WebApplication app)
    {
        app.UseSerilogRequestLogging(options =>
            options.EnrichDiagnosticContext = (diagnostics, http) =>
            {
                if (UserIdOf(http) is { } userId)
                {
                    diagnostics.Set("UserId", userId);
                }
            });
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
