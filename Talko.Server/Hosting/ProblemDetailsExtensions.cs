using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

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

/// <summary>
/// Malformed JSON, a missing body or an unbindable parameter is the client's fault: answer 400 with
/// what was wrong instead of the generic 500 the exception handler would give.
/// </summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }

        http.Response.StatusCode = badRequest.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = badRequest.StatusCode,
                Title = "The request could not be read.",
                Detail = badRequest.Message,
            },
        });
    }
}
