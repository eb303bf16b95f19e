using Serilog.Events;

namespace Talko.Server.Hosting;

/// <summary>
/// The level of a request's one log line, by who is at fault: the server's own failures (5xx, or an
/// exception that escaped) are errors; a 503 (a dependency away, or no instance can take a call now; it says when to
/// retry) is a warning, its cause logged once per interval by whoever answered it (ADR 0205); refused credentials and
/// permissions, and rate limiting, are warnings (someone may be probing); every other client mistake is information,
/// with no stack trace.
/// </summary>
public static class RequestLogLevels
{
    public static LogEventLevel For(int statusCode, Exception? exception) => statusCode switch
    {
        _ when exception is not null => LogEventLevel.Error,
        StatusCodes.Status503ServiceUnavailable => LogEventLevel.Warning,
        >= 500 => LogEventLevel.Error,
        StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden or StatusCodes.Status429TooManyRequests => LogEventLevel.Warning,
        _ => LogEventLevel.Information,
    };
}
