using Microsoft.AspNetCore.Http.HttpResults;
using Talko.Server.Features.Accounts;

namespace Talko.Server.Features.Awareness;

public static class AwarenessApi
{
    public static IEndpointRouteBuilder MapAwarenessApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/conversations/{conversationId}/awareness", GetConversationAwareness)
            .RequireAuthorization()
            .WithTags("Awareness")
            .WithSummary("The awareness of a conversation's members (members only)");
        return app;
    }

    /// <summary>404 for a conversation the caller is not in, so its existence is not revealed.</summary>
    private static async Task<Results<Ok<IReadOnlyList<AwarenessView>>, NotFound<Microsoft.AspNetCore.Mvc.ProblemDetails>, ValidationProblem>> GetConversationAwareness(
        string conversationId,
        HttpContext http,
        AwarenessSnapshots snapshots)
    {
        try
        {
            return TypedResults.Ok(await snapshots.ForConversationAsync(conversationId, http.User.GetUserId().ToString(), http.RequestAborted));
        }
        catch (ArgumentException exception)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [exception.ParamName ?? "conversationId"] = [exception.Message] });
        }
        catch (NotMemberException)
        {
            return TypedResults.NotFound(new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = 404, Title = "Conversation not found." });
        }
    }
}
