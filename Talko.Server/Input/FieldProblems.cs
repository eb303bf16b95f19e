using Microsoft.AspNetCore.Http.HttpResults;
using Talko.Core.Text;

namespace Talko.Server.Input;

/// <summary>400 answers that name the field at fault, as RFC 9457 validation problems ("errors": { field: [message] }).</summary>
public static class FieldProblems
{
    public static ProblemHttpResult Invalid(string field, string message) =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request is not valid.",
            Detail = message,
            Extensions = { ["reason"] = "invalid" },
        });

    /// <summary>Checks <paramref name="raw"/> against <paramref name="rule"/>: the problem to answer with, or null and the text to store.</summary>
    public static ProblemHttpResult? CheckText(string field, string? raw, TextRule rule, out string? value)
    {
        var check = HumanText.Check(raw, rule);
        value = check.Value;
        return check.IsValid ? null : Invalid(field, $"{field} {check.Error}");
    }
}
