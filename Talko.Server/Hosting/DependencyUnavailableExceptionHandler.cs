using System.Collections.Concurrent;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Talko.Core.Logging;
using Talko.Server.Kernel;

namespace Talko.Server.Hosting;

/// <summary>
/// A dependency that cannot answer now (Redis away, PostgreSQL restarting or out of connections, a timeout) is not a
/// bug: the request gets 503 with Retry-After, so clients retry instead of giving up, and the log gets one Warning with
/// the cause per <see cref="TalkoOptions.RepeatedFailureLogInterval"/> and kind of cause (with how many more requests
/// it cost meanwhile) instead of an Error with a stack trace per request (ADR 0205).
/// </summary>
internal sealed partial class DependencyUnavailableExceptionHandler(
    IProblemDetailsService problems, IOptions<TalkoOptions> options, ILogger<DependencyUnavailableExceptionHandler> logger) : IExceptionHandler
{
    public const int RetryAfterSeconds = 5;

    /// <summary>One throttle per kind of cause (a few exception types), so a Redis outage never hides PostgreSQL's first line.</summary>
    private readonly ConcurrentDictionary<string, LogThrottle> throttles = new(StringComparer.Ordinal);

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (DependencyFailures.Cause(exception) is not { } cause)
        {
            return false;
        }

        var kind = cause.GetType().Name;
        if (throttles.GetOrAdd(kind, _ => new LogThrottle(options.Value.RepeatedFailureLogInterval)).ShouldWrite(out var heldBack))
        {
            LogUnavailable(logger, http.Request.Method, http.Request.Path, kind, cause.Message, heldBack);
        }

        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Temporarily unavailable.",
                Detail = "A service Talko depends on did not answer in time; retry shortly.",
                Extensions = { ["reason"] = "dependency_unavailable", ["retryAfterSeconds"] = RetryAfterSeconds },
            },
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered 503: a dependency is unavailable ({ExceptionType}: {Reason}); {HeldBack} more requests answered 503 for this cause since the last line")]
    private static partial void LogUnavailable(ILogger logger, string method, string path, string exceptionType, string reason, long heldBack);
}
