using System.Net.Sockets;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Talko.Server.Hosting;

/// <summary>
/// A dependency that cannot answer now (Redis away, PostgreSQL restarting or out of connections, a timeout) is not a
/// bug: the request gets 503 with Retry-After, so clients retry instead of giving up, and the log gets one Warning with
/// the cause instead of an Error with a stack trace per request.
/// </summary>
internal sealed partial class DependencyUnavailableExceptionHandler(IProblemDetailsService problems, ILogger<DependencyUnavailableExceptionHandler> logger) : IExceptionHandler
{
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (Cause(exception) is not { } cause)
        {
            return false;
        }

        LogUnavailable(logger, http.Request.Method, http.Request.Path, cause.GetType().Name, cause.Message);
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

    /// <summary>The innermost exception that says a dependency is away, if any in the chain does.</summary>
    internal static Exception? Cause(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (IsUnavailable(current))
            {
                return current;
            }
        }

        return null;
    }

    private static bool IsUnavailable(Exception exception) => exception switch
    {
        TimeoutException or SocketException => true,
        StackExchange.Redis.RedisConnectionException or StackExchange.Redis.RedisTimeoutException => true,
        Npgsql.NpgsqlException npgsql => npgsql.IsTransient,
        _ => false,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered 503: a dependency is unavailable ({ExceptionType}: {Reason})")]
    private static partial void LogUnavailable(ILogger logger, string method, string path, string exceptionType, string reason);
}
