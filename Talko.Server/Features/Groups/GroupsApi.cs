using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Talko.Core.Accounts;
using Talko.Core.Conversations;
using Talko.Server.Data;
using Talko.Server.Features.Accounts;
using Talko.Server.Features.Accounts.Auth;
using Talko.Server.Features.Accounts.Entities;
using Talko.Server.Features.Conversations;
using Talko.Server.Features.Groups.Entities;
using Talko.Server.Input;
using Talko.Server.Kernel;

namespace Talko.Server.Features.Groups;

public sealed record CreateGroupRequest(string Name);

public sealed record RenameGroupRequest(string Name);

public sealed record AddMemberRequest(Guid UserId, GroupRole Role = GroupRole.Member);

public sealed record ChangeRoleRequest(GroupRole Role);

/// <summary>An email address or phone number (with an optional ISO 3166-1 region for national numbers).</summary>
public sealed record InviteRequest(string Identifier, string? Region, GroupRole Role = GroupRole.Member);

public sealed record GroupMemberView(Guid UserId, GroupRole Role, DateTimeOffset JoinedAt);

public sealed record GroupView(Guid Id, string Name, Guid CreatedBy, DateTimeOffset CreatedAt, GroupRole MyRole, IReadOnlyList<GroupMemberView> Members);

/// <summary>The invite, or (when the person already has an account) the membership it became.</summary>
public sealed record InviteView(Guid? InviteId, string Hint, GroupRole Role, Guid? JoinedUserId);

public static class GroupsApi
{
    public static IEndpointRouteBuilder MapGroupsApi(this IEndpointRouteBuilder routes)
    {
        var groups = routes.MapGroup("/v1/groups").WithTags("Groups").RequireAuthorization();
        groups.MapPost("/", Create).WithSummary("Create a group; the caller becomes its owner");
        groups.MapGet("/", ListMine).WithSummary("Groups I belong to (pending invites for my identifiers are accepted first)");
        groups.MapGet("/{groupId:guid}", Get).WithSummary("A group with its members");
        groups.MapPatch("/{groupId:guid}", Rename).WithSummary("Rename (owner, admin)");
        groups.MapPost("/{groupId:guid}/members", AddMember).WithSummary("Add a registered user (owner, admin)");
        groups.MapPatch("/{groupId:guid}/members/{userId:guid}", ChangeRole).WithSummary("Change a member's role (owner)");
        groups.MapDelete("/{groupId:guid}/members/{userId:guid}", RemoveMember).WithSummary("Remove a member, or leave when it is me");
        groups.MapPost("/{groupId:guid}/invites", Invite).WithSummary("Invite by email or phone (owner, admin)");
        return routes;
    }

    private static async Task<Results<Created<GroupView>, ProblemHttpResult>> Create(
        CreateGroupRequest request, HttpContext http, TalkoDbContext db, TimeProvider time, IOptions<ConversationsOptions> options, CancellationToken cancellationToken)
    {
        if (FieldProblems.CheckText("name", request.Name, TextRules.GroupName(options.Value), out var name) is { } problem)
        {
            return problem;
        }

        var userId = http.User.GetUserId();
        var now = time.GetUtcNow().UtcDateTime;
        var group = new Group { Id = Guid.CreateVersion7(), Name = name!, CreatedBy = userId, CreatedAt = now };
        group.Members.Add(new GroupMember { GroupId = group.Id, UserId = userId, Role = GroupRole.Owner, JoinedAt = now });
        db.Add(group);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/v1/groups/{group.Id}", View(group, userId));
    }

    private static async Task<Ok<List<GroupView>>> ListMine(HttpContext http, TalkoDbContext db, GroupMembership membership, CancellationToken cancellationToken)
    {
        var userId = http.User.GetUserId();
        await membership.ClaimInvitesAsync(userId, cancellationToken);
        var groups = await db.Set<Group>().AsNoTracking().Include(g => g.Members)
            .Where(g => g.Members.Any(m => m.UserId == userId))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(groups.Select(g => View(g, userId)).OrderBy(g => g.Name, StringComparer.CurrentCultureIgnoreCase).ToList());
    }

    private static async Task<Results<Ok<GroupView>, ProblemHttpResult>> Get(Guid groupId, HttpContext http, TalkoDbContext db, CancellationToken cancellationToken)
    {
        var userId = http.User.GetUserId();
        var group = await db.Set<Group>().AsNoTracking().Include(g => g.Members).SingleOrDefaultAsync(g => g.Id == groupId, cancellationToken);
        return group is null || group.Members.All(m => m.UserId != userId) ? Problems.NotFound("group") : TypedResults.Ok(View(group, userId));
    }

    private static async Task<Results<Ok<GroupView>, ProblemHttpResult>> Rename(
        Guid groupId, RenameGroupRequest request, HttpContext http, TalkoDbContext db, IOptions<ConversationsOptions> options, CancellationToken cancellationToken)
    {
        var userId = http.User.GetUserId();
        var group = await db.Set<Group>().Include(g => g.Members).SingleOrDefaultAsync(g => g.Id == groupId, cancellationToken);
        if (group?.Members.SingleOrDefault(m => m.UserId == userId) is not { } me)
        {
            return Problems.NotFound("group");
        }

        if (!GroupPermissions.CanRenameGroup(me.Role))
        {
            return Problems.Forbidden("Only owners and admins rename a group.");
        }

        if (FieldProblems.CheckText("name", request.Name, TextRules.GroupName(options.Value), out var name) is { } problem)
        {
            return problem;
        }

        group.Name = name!;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(View(group, userId));
    }

    private static async Task<Results<Ok<GroupView>, ProblemHttpResult>> AddMember(
        Guid groupId, AddMemberRequest request, HttpContext http, TalkoDbContext db, GroupMembership membership, IOptions<ConversationsOptions> options, CancellationToken cancellationToken)
    {
        var userId = http.User.GetUserId();
        var group = await db.Set<Group>().AsNoTracking().Include(g => g.Members).SingleOrDefaultAsync(g => g.Id == groupId, cancellationToken);
        if (group?.Members.SingleOrDefault(m => m.UserId == userId) is not { } me)
        {
            return Problems.NotFound("group");
        }

        if (!GroupPermissions.CanAddMembers(me.Role) || !GroupPermissions.CanGrant(me.Role, request.Role))
        {
            return Problems.Forbidden($"A {me.Role} cannot add a {request.Role}.");
        }

        if (group.Members.Any(m => m.UserId == request.UserId))
        {
            return Problems.Conflict("already_member", "The user is already a member.");
        }

        if (group.Members.Count >= options.Value.MaxGroupMembers)
        {
            return Problems.Conflict("group_full", $"A group has at most {options.Value.MaxGroupMembers} members.");
        }

        if (!await db.Set<User>().AnyAsync(u => u.Id == request.UserId && u.DeletedAt == null, cancellationToken))
        {
            return Problems.NotFound("user");
        }

        await membership.JoinAsync(groupId, request.UserId, request.Role, userId, cancellationToken);
        return await Get(groupId, http, db, cancellationToken);
    }

    private static async Task<Results<Ok<GroupView>, ProblemHttpResult>> ChangeRole(
        Guid groupId, Guid userId, ChangeRoleRequest request, HttpContext http, TalkoDbContext db, CancellationToken cancellationToken)
    {
        var actorId = http.User.GetUserId();
        var members = await db.Set<GroupMember>().Where(m => m.GroupId == groupId).ToListAsync(cancellationToken);
        if (members.SingleOrDefault(m => m.UserId == actorId) is not { } me)
        {
            return Problems.NotFound("group");
        }

        if (members.SingleOrDefault(m => m.UserId == userId) is not { } target)
        {
            return Problems.NotFound("member");
        }

        if (!GroupPermissions.CanChangeRole(me.Role, target.Role, request.Role))
        {
            return Problems.Forbidden("Only owners change roles.");
        }

        if (GroupPermissions.WouldOrphanGroup(target.Role, members.Count(m => m.Role == GroupRole.Owner), request.Role))
        {
            return Problems.Conflict("last_owner", "The last owner cannot step down; make someone else owner first.");
        }

        target.Role = request.Role;
        await db.SaveChangesAsync(cancellationToken);
        return await Get(groupId, http, db, cancellationToken);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveMember(
        Guid groupId, Guid userId, HttpContext http, TalkoDbContext db, GroupMembership membership, CancellationToken cancellationToken)
    {
        var actorId = http.User.GetUserId();
        var members = await db.Set<GroupMember>().AsNoTracking().Where(m => m.GroupId == groupId).ToListAsync(cancellationToken);
        if (members.SingleOrDefault(m => m.UserId == actorId) is not { } me)
        {
            return Problems.NotFound("group");
        }

        if (members.SingleOrDefault(m => m.UserId == userId) is not { } target)
        {
            return Problems.NotFound("member");
        }

        if (actorId != userId && !GroupPermissions.CanRemove(me.Role, target.Role))
        {
            return Problems.Forbidden($"A {me.Role} cannot remove a {target.Role}.");
        }

        if (GroupPermissions.WouldOrphanGroup(target.Role, members.Count(m => m.Role == GroupRole.Owner)))
        {
            return Problems.Conflict("last_owner", "The last owner cannot leave; make someone else owner first.");
        }

        await membership.LeaveAsync(groupId, userId, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<InviteView>, ProblemHttpResult>> Invite(
        Guid groupId, InviteRequest request, HttpContext http, TalkoDbContext db, GroupMembership membership,
        IdentifierNormalizer normalizer, ServerKeys keys, TimeProvider time, CancellationToken cancellationToken)
    {
        var actorId = http.User.GetUserId();
        var me = await db.Set<GroupMember>().AsNoTracking().SingleOrDefaultAsync(m => m.GroupId == groupId && m.UserId == actorId, cancellationToken);
        if (me is null)
        {
            return Problems.NotFound("group");
        }

        if (!GroupPermissions.CanAddMembers(me.Role) || !GroupPermissions.CanGrant(me.Role, request.Role))
        {
            return Problems.Forbidden($"A {me.Role} cannot invite a {request.Role}.");
        }

        if (!normalizer.TryNormalize(request.Identifier, request.Region, out var identifier, out var error))
        {
            return FieldProblems.Invalid("identifier", error);
        }

        var lookupKey = keys.Identifiers.LookupKey(identifier!);
        var registered = await db.Set<UserIdentifier>().AsNoTracking().Where(i => i.LookupKey == lookupKey).Select(i => (Guid?)i.UserId).SingleOrDefaultAsync(cancellationToken);
        if (registered is { } existingUser)
        {
            if (!await db.Set<GroupMember>().AnyAsync(m => m.GroupId == groupId && m.UserId == existingUser, cancellationToken))
            {
                await membership.JoinAsync(groupId, existingUser, request.Role, actorId, cancellationToken);
            }

            return TypedResults.Ok(new InviteView(null, identifier!.Hint, request.Role, existingUser));
        }

        var invite = await db.Set<GroupInvite>().SingleOrDefaultAsync(i => i.GroupId == groupId && i.LookupKey == lookupKey, cancellationToken);
        if (invite is null)
        {
            invite = new GroupInvite { Id = Guid.CreateVersion7(), GroupId = groupId, LookupKey = lookupKey, Hint = identifier!.Hint, InvitedBy = actorId, CreatedAt = time.GetUtcNow().UtcDateTime };
            db.Add(invite);
        }

        invite.Role = request.Role;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new InviteView(invite.Id, invite.Hint, invite.Role, null));
    }

    private static GroupView View(Group group, Guid viewer) => new(
        group.Id,
        group.Name,
        group.CreatedBy,
        Views.Utc(group.CreatedAt),
        group.Members.Single(m => m.UserId == viewer).Role,
        group.Members.OrderBy(m => m.JoinedAt).Select(m => new GroupMemberView(m.UserId, m.Role, Views.Utc(m.JoinedAt))).ToList());
}
