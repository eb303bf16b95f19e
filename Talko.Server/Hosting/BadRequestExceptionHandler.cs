using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Talko.Server.Hosting;

/// <summary>
/// Malformed JSON, a missing body or an unbindable parameter is the client's fault: answer 400 with
/// what was wrong instead of the generic 500 the exception handler would give.
/// </summary>
internal sealed partial class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
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
            : ParameterOf(badRequest.Message) is { } parameter
                ? new HttpValidationProblemDetails(new Dictionary<string, string[]> { [parameter] = [badRequest.Message] }) { Detail = badRequest.Message }
                : new ProblemDetails { Detail = badRequest.Message };
        problem.Status = badRequest.StatusCode;
        problem.Title = "The request could not be read.";
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, Exception = exception, ProblemDetails = problem });
    }

    /// <summary>"$.device.platform" names the field "device.platform"; "$" (the body as a whole) "body".</summary>
    private static string FieldOf(string jsonPath) => jsonPath is "$" ? "body" : jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath;

    /// <summary>
    /// The route, query or header parameter a binding failure names ("Failed to bind parameter \"Nullable&lt;int&gt; limit\"
    /// from \"many\"."), or null when the failure is about the body.
    /// </summary>
    private static string? ParameterOf(string message) =>
        message.Contains("body", StringComparison.OrdinalIgnoreCase) ? null : ParameterName().Match(message) is { Success: true } match ? match.Groups["name"].Value : null;

    [GeneratedRegex(@"parameter ""(?:[^""]*\s)?(?<name>[A-Za-z_][A-Za-z0-9_]*)""")]
    private static partial Regex ParameterName();

    /// <summary>The reader appends where it was ("Path: ... | LineNumber: ..."); the field already says that.</summary>
    private static string FirstSentence(string message) => message.Split(" Path: ", 2)[0];
}
