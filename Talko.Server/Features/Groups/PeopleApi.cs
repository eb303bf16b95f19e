using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Talko.Server.Data;
using Talko.Server.Features.Accounts;
using Talko.Server.Features.Accounts.Entities;
using Talko.Server.Features.Groups.Entities;
using Talko.Server.Kernel;

namespace Talko.Server.Features.Groups;

/// <param name="UserId">The person.</param>
/// <param name="DisplayName">Their display name; null when they have not chosen one.</param>
public sealed record PersonView(Guid UserId, string? DisplayName);

/// <summary>
/// Display names for the people a client shows (authors, members, talkers). A name is visible only to someone who
/// shares a group with its owner; other ids are left out of the answer, exactly as ids that exist nowhere, so the
/// endpoint tells a stranger nothing about who has an account.
/// </summary>
public static class PeopleApi
{
    public const int MaxIdsPerRequest = 100;

    public static IEndpointRouteBuilder MapPeopleApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/people", Lookup).WithTags("Groups").RequireAuthorization()
            .WithSummary($"Display names of people who share a group with me (id=...&id=..., at most {MaxIdsPerRequest}); others are left out");
        return routes;
    }

    private static async Task<Results<Ok<List<PersonView>>, ProblemHttpResult>> Lookup(
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "id")] Guid[]? ids, HttpContext http, TalkoDbContext db, CancellationToken cancellationToken)
    {
        var wanted = (ids ?? []).Distinct().ToList();
        if (wanted.Count == 0 || wanted.Count > MaxIdsPerRequest)
        {
            return Problems.Invalid($"Give 1 to {MaxIdsPerRequest} ids as id=...&id=....");
        }

        var me = http.User.GetUserId();
        var myGroups = db.Set<GroupMember>().Where(m => m.UserId == me).Select(m => m.GroupId);
        var visible = db.Set<GroupMember>().Where(m => myGroups.Contains(m.GroupId)).Select(m => m.UserId);
        var people = await db.Set<User>().AsNoTracking()
            .Where(u => wanted.Contains(u.Id) && (u.Id == me || visible.Contains(u.Id)))
            .OrderBy(u => u.Id)
            .Select(u => new PersonView(u.Id, u.DisplayName))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(people);
    }
}
