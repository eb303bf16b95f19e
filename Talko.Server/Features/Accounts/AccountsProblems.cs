using Microsoft.AspNetCore.Http.HttpResults;
using Talko.Server.Features.Accounts.Codes;

namespace Talko.Server.Features.Accounts;

/// <summary>The accounts feature's error answers (RFC 9457 problem details), each with a stable "reason".</summary>
internal static class AccountsProblems
{
    public static ProblemHttpResult Code(CodeCheck check, int attemptsLeft) => check switch
    {
        CodeCheck.Wrong => Problem(StatusCodes.Status400BadRequest, "wrong_code", "The code is wrong.", $"{attemptsLeft} attempt(s) left for this code.", ("attemptsLeft", attemptsLeft)),
        CodeCheck.TooManyAttempts => Problem(StatusCodes.Status400BadRequest, "too_many_attempts", "Too many wrong attempts.", "This code no longer works; request a new one."),
        _ => Problem(StatusCodes.Status400BadRequest, "expired_code", "There is no valid code.", "The code expired or was never requested; request a new one."),
    };

    public static ProblemHttpResult TooManyRequests(HttpContext http, TimeSpan retryAfter, string detail)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problem(StatusCodes.Status429TooManyRequests, "rate_limited", "Too many requests.", detail, ("retryAfterSeconds", seconds));
    }

    public static ProblemHttpResult InvalidRefreshToken() =>
        Problem(StatusCodes.Status401Unauthorized, "invalid_refresh_token", "The refresh token is not valid.", "Sign in again.");

    public static ProblemHttpResult NotFound(string what) =>
        Problem(StatusCodes.Status404NotFound, "not_found", $"No such {what}.", null);

    public static ProblemHttpResult Conflict(string reason, string title, string detail) =>
        Problem(StatusCodes.Status409Conflict, reason, title, detail);

    public static ProblemHttpResult Problem(int status, string reason, string title, string? detail, params (string Key, object? Value)[] extra)
    {
        var extensions = new Dictionary<string, object?> { ["reason"] = reason };
        foreach (var (key, value) in extra)
        {
            extensions[key] = value;
        }

        return TypedResults.Problem(detail, statusCode: status, title: title, extensions: extensions);
    }
}
