using Microsoft.AspNetCore.Http.HttpResults;

namespace Talko.Server.Kernel;

/// <summary>Error answers of the features' APIs (RFC 9457 problem details with a stable "reason"), shared through the kernel.</summary>
internal static class Problems
{
    /// <summary>Also the answer to a non-member: whether a conversation exists is not theirs to learn.</summary>
    public static ProblemHttpResult NotFound(string what) =>
        Problem(StatusCodes.Status404NotFound, "not_found", $"No such {what}.", $"The {what} does not exist or you are not a member.");

    public static ProblemHttpResult Forbidden(string detail) =>
        Problem(StatusCodes.Status403Forbidden, "forbidden", "Not allowed.", detail);

    public static ProblemHttpResult Invalid(string detail) =>
        Problem(StatusCodes.Status400BadRequest, "invalid", "The request is not valid.", detail);

    public static ProblemHttpResult Conflict(string reason, string detail) =>
        Problem(StatusCodes.Status409Conflict, reason, "The request conflicts with the current state.", detail);

    public static ProblemHttpResult TooLarge(long maxBytes) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "too_large", "The upload is too large.", $"The limit is {maxBytes} bytes.");

    public static ProblemHttpResult UnsupportedMedia(string detail) =>
        Problem(StatusCodes.Status415UnsupportedMediaType, "unsupported_media", "The content is not accepted.", detail);

    public static ProblemHttpResult Unprocessable(string reason, string detail) =>
        Problem(StatusCodes.Status422UnprocessableEntity, reason, "The content is not accepted.", detail);

    public static ProblemHttpResult Problem(int status, string reason, string title, string? detail) =>
        TypedResults.Problem(detail, statusCode: status, title: title, extensions: new Dictionary<string, object?> { ["reason"] = reason });
}
