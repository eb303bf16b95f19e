using Microsoft.AspNetCore.Diagnostics;
using System.Text.Json;
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
        var problem = badRequest.InnerException is JsonException { Path: { } path } json
            ? new HttpValidationProblemDetails(new Dictionary<string, string[]> { [FieldOf(path)] = [FirstSentence(json.Message)] }) { Detail = json.Message }
            : new ProblemDetails { Detail = badRequest.Message };
        problem.Status = badRequest.StatusCode;
        problem.Title = "The request could not be read.";
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, Exception = exception, ProblemDetails = problem });
    }

    /// <summary>"$.device.platform" names the field "device.platform"; "$" (the body as a whole) "body".</summary>
    private static string FieldOf(string jsonPath) => jsonPath is "$" ? "body" : jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath;

    /// <summary>The reader appends where it was ("Path: ... | LineNumber: ..."); the field already says that.</summary>
    private static string FirstSentence(string message) => message.Split(" Path: ", 2)[0];
}
