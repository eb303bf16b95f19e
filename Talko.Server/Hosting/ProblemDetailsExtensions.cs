using Microsoft.AspNetCore.Diagnostics;
using Talko.Server.Kernel;

namespace Talko.Server.Hosting;

public static class ProblemDetailsExtensions
{
    /// <summary>Every error leaves as RFC 9457 problem details, with the trace id and instance id to find its log lines.</summary>
    public static IHostApplicationBuilder AddTalkoProblemDetails(this IHostApplicationBuilder builder, InstanceIdentity instance)
    {
        builder.Services.AddProblemDetails(options =>
            options.CustomizeProblemDetails = context =>
            {
                context.ProblemDetails.Extensions["traceId"] = context.HttpContext.TraceIdentifier;
                context.ProblemDetails.Extensions["instanceId"] = instance.Id;
            });
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        builder.Services.AddExceptionHandler<DependencyUnavailableExceptionHandler>();
        return builder;
    }

    public static WebApplication UseTalkoProblemDetails(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}
