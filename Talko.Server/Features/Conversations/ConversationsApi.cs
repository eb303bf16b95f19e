using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Talko.Core.Conversations;
using Talko.Server.Data;
using Talko.Server.Features.Accounts;
using Talko.Server.Features.Conversations.Entities;
using Talko.Server.Features.Groups.Entities;
using Talko.Server.Features.Notifications.Routing;
using Talko.Server.Input;
using Talko.Server.Kernel;

namespace Talko.Server.Features.Conversations;

/// <summary>Members default to the whole group (and then follow it); a list picks some of its members.</summary>
public sealed record CreateConversationRequest(string Title, IReadOnlyList<Guid>? MemberIds = null, IReadOnlyList<string>? Tags = null);

/// <summary>Each field is optional; archived true archives, false brings it back.</summary>
public sealed record UpdateConversationRequest(string? Title = null, bool? Archived = null);

public sealed record AddConversationMemberRequest(Guid UserId);

public sealed record MarkReadRequest(long Seq);

public static class ConversationsApi
{
    public static IEndpointRouteBuilder MapConversationsEndpoints(this IEndpointRouteBuilder routes)
    {
        var inGroup = routes.MapGroup("/v1/groups/{groupId:guid}/conversations").WithTags("Conversations").RequireAuthorization();
        inGroup.MapPost("/", Create).WithSummary("Start a conversation in a group (any member)");
        inGroup.MapGet("/", ListInGroup).WithSummary("The group's conversations I am in");

        var conversations = routes.MapGroup("/v1/conversations").WithTags("Conversations").RequireAuthorization();
        conversations.MapGet("/", ListMine).WithSummary("All my conversations with unread counts");
        conversations.MapGet("/{conversationId:guid}", Get);
        conversations.MapPatch("/{conversationId:guid}", Update).WithSummary("Rename or (un)archive (creator, group owner or admin)");
        conversations.MapGet("/{conversationId:guid}/members", Members);
        conversations.MapPost("/{conversationId:guid}/members", AddMember).WithSummary("Add a group member (creator, group owner or admin)");
        conversations.MapDelete("/{conversationId:guid}/members/{userId:guid}", RemoveMember).WithSummary("Remove a member, or leave when it is me");
        conversations.MapPost("/{conversationId:guid}/read", MarkRead).WithSummary("Move my read position forward");
        return routes;
    }

    private static async Task<Results<Created<ConversationView>, ProblemHttpResult>> Create(
        Guid groupId, CreateConversationRequest request, HttpContext http, TalkoDbContext db, IConversationEventPublisher events, ConversationNotifications notifications,
        TimeProvider time, IOptions<ConversationsOptions> options, CancellationToken cancellationToken)
    {
        var userId = http.User.GetUserId();
        var groupMembers = await db.Set<GroupMember>().AsNoTracking().Where(m => m.GroupId == groupId).Select(m => m.UserId).ToListAsync(cancellationToken);
        if (!groupMembers.Contains(userId))
        {
            return Problems.NotFound("group");
        }

        if (FieldProblems.CheckText("title", request.Title, TextRules.ConversationTitle(options.Value), out var title) is { } problem)
        {
            return problem;
        }

        var tags = (request.Tags ?? []).Select(Hashtags.Normalize).ToList();
        if (tags.Any(t => t is null) || tags.Count > options.Value.MaxTagsPerItem)
        {
            return Problems.Invalid($"Tags are letters, digits, '_' or '-' (at most {Hashtags.MaxLength}), at most {options.Value.MaxTagsPerItem} of them.");
        }

        var members = request.MemberIds is null ? groupMembers : request.MemberIds.Append(userId).Distinct().ToList();
        if (members.Except(groupMembers).Any())
        {
            return Problems.Invalid("Every member of a conversation must be a member of its group.");
        }

        var now = time.GetUtcNow().UtcDateTime;
        var conversation = new Conversation
        {
            Id = Guid.CreateVersion7(),
            GroupId = groupId,
            Title = title!,
            CreatedBy = userId,
            CreatedAt = now,
            IncludesWholeGroup = request.MemberIds is null,
            Version = 1,
        };
        db.Add(conversation);
        var rows = members.Select(m => new ConversationMember { ConversationId = conversation.Id, UserId = m, JoinedAt = now, Version = 1 }).ToList();
        db.AddRange(rows);
        db.AddRange(tags.Distinct().Select(t => new Tag { Id = Guid.CreateVersion7(), ConversationId = conversation.Id, Name = t!, AddedBy = userId, CreatedAt = now, Version = 1 }));
        if (request.MemberIds is not null)
        {
            // People picked by name are told (in this save); a conversation for the whole group is not a personal addition.
            foreach (var member in rows)
            {
                await notifications.AddedToConversationAsync(db, conversation, member.UserId, userId, cancellationToken);
            }
        }

        await db.SaveChangesAsync(cancellationToken);

        foreach (var row in rows)
        {
            await events.PublishAsync(new MembershipChanged(Views.Member(row)), cancellationToken);
        }

        var view = (await Views.ConversationsAsync(db, [conversation.Id], userId, cancellationToken))[0];
        return TypedResults.Created($"/v1/conversations/{conversation.Id}", view);
    }

    private static async Task<Results<Ok<List<ConversationView>>, ProblemHttpResult>> ListInGroup(Guid groupId, HttpContext http, TalkoDbContext db, CancellationToken cancellationToken)
    {
        var userId = http.User.GetUserId();
        if (!await db.Set<GroupMember>().AnyAsync(m => m.GroupId == groupId && m.UserId == userId, cancellationToken))
        {
            return Problems.NotFound("group");
        }

        var ids = await MyConversations(db, userId).Where(c => c.GroupId == groupId).Select(c => c.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(await Views.ConversationsAsync(db, ids, userId, cancellationToken));
    }

    private static async Task<Ok<List<ConversationView>>> ListMine(HttpContext http, TalkoDbContext db, CancellationToken cancellationToken)
    {
        var userId = http.User.GetUserId();
        var ids = await MyConversations(db, userId).Select(c => c.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(await Views.ConversationsAsync(db, ids, userId, cancellationToken));
    }

    private static async Task<Results<Ok<ConversationView>, ProblemHttpResult>> Get(Guid conversationId, HttpContext http, TalkoDbContext db, CancellationToken cancellationToken)
    {
        var userId = http.User.GetUserId();
        if (await ConversationAccess.FindAsync(db, conversationId, userId, cancellationToken) is null)
        {
            return Problems.NotFound("conversation");
        }

        return TypedResults.Ok((await Views.ConversationsAsync(db, [conversationId], userId, cancellationToken))[0]);
    }

    private static async Task<Results<Ok<ConversationView>, ProblemHttpResult>> Update(
        Guid conversationId, UpdateConversationRequest request, HttpContext http, TalkoDbContext db, IConversationEventPublisher events,
        TimeProvider time, IOptions<ConversationsOptions> options, CancellationToken cancellationToken)
    {
        var userId = http.User.GetUserId();
        if (await ConversationAccess.FindAsync(db, conversationId, userId, cancellationToken) is not { } access)
        {
            return Problems.NotFound("conversation");
        }

        if (!access.CanManage)
        {
            return Problems.Forbidden("Only the conversation's creator or a group owner or admin changes it.");
        }

        string? title = null;
        if (request.Title is not null && FieldProblems.CheckText("title", request.Title, TextRules.ConversationTitle(options.Value), out title) is { } problem)
        {
            return problem;
        }

        await ConversationTransaction.ExecuteAsync(db, conversationId, appendsItem: false, async _ =>
        {
            var conversation = await db.Set<Conversation>().SingleAsync(c => c.Id == conversationId, cancellationToken);
            conversation.Title = title ?? conversation.Title;
            conversation.ArchivedAt = request.Archived switch
            {
                true => conversation.ArchivedAt ?? time.GetUtcNow().UtcDateTime,
                false => null,
                null => conversation.ArchivedAt,
            };
            return conversation;
        }, cancellationToken);
        var view = (await Views.ConversationsAsync(db, [conversationId], userId, cancellationToken))[0];
        await events.PublishAsync(new ConversationUpdated(view), cancellationToken);
        return TypedResults.Ok(view);
    }

    private static async Task<Results<Ok<List<ConversationMemberView>>, ProblemHttpResult>> Members(Guid conversationId, HttpContext http, TalkoDbContext db, CancellationToken cancellationToken)
    {
        var userId = http.User.GetUserId();
        if (await ConversationAccess.FindAsync(db, conversationId, userId, cancellationToken) is null)
        {
            return Problems.NotFound("conversation");
        }

        var members = await db.Set<ConversationMember>().AsNoTracking()
            .Where(m => m.ConversationId == conversationId && m.RemovedAt == null)
            .OrderBy(m => m.JoinedAt)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(members.Select(Views.Member).ToList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> AddMember(
        Guid conversationId, AddConversationMemberRequest request, HttpContext http, TalkoDbContext db, ConversationMembership membership, CancellationToken cancellationToken)
    {
        var userId = http.User.GetUserId();
        if (await ConversationAccess.FindAsync(db, conversationId, userId, cancellationToken) is not { } access)
        {
            return Problems.NotFound("conversation");
        }

        if (!access.CanManage)
        {
            return Problems.Forbidden("Only the conversation's creator or a group owner or admin adds members.");
        }

        if (!await db.Set<GroupMember>().AnyAsync(m => m.GroupId == access.Conversation.GroupId && m.UserId == request.UserId, cancellationToken))
        {
            return Problems.Invalid("Only members of the conversation's group can join it.");
        }

        return await membership.AddAsync(conversationId, request.UserId, userId, cancellationToken)
            ? TypedResults.NoContent()
            : Problems.Conflict("already_member", "The user is already a member of the conversation.");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveMember(
        Guid conversationId, Guid userId, HttpContext http, TalkoDbContext db, ConversationMembership membership, CancellationToken cancellationToken)
    {
        var actorId = http.User.GetUserId();
        if (await ConversationAccess.FindAsync(db, conversationId, actorId, cancellationToken) is not { } access)
        {
            return Problems.NotFound("conversation");
        }

        if (actorId != userId && !access.CanManage)
        {
            return Problems.Forbidden("Only the conversation's creator or a group owner or admin removes members.");
        }

        return await membership.RemoveAsync(conversationId, userId, cancellationToken)
            ? TypedResults.NoContent()
            : Problems.NotFound("member");
    }

    private static async Task<Results<Ok<ConversationMemberView>, ProblemHttpResult>> MarkRead(
        Guid conversationId, MarkReadRequest request, HttpContext http, TalkoDbContext db, IConversationEventPublisher events, CancellationToken cancellationToken)
    {
        var userId = http.User.GetUserId();
        if (await ConversationAccess.FindAsync(db, conversationId, userId, cancellationToken) is not { } access)
        {
            return Problems.NotFound("conversation");
        }

        if (request.Seq < 0)
        {
            return Problems.Invalid("seq must not be negative.");
        }

        if (request.Seq <= access.Member.LastReadSeq)
        {
            // Read positions only move forward (two devices may report out of order).
            return TypedResults.Ok(Views.Member(access.Member));
        }

        var member = await ConversationTransaction.ExecuteAsync(db, conversationId, appendsItem: false, async stamp =>
        {
            var conversation = await db.Set<Conversation>().AsNoTracking().SingleAsync(c => c.Id == conversationId, cancellationToken);
            var row = await db.Set<ConversationMember>().SingleAsync(m => m.ConversationId == conversationId && m.UserId == userId, cancellationToken);
            var target = Math.Min(request.Seq, conversation.LastSeq);
            if (target <= row.LastReadSeq)
            {
                return null;
            }

            row.LastReadSeq = target;
            row.Version = stamp.Version;
            return row;
        }, cancellationToken);
        if (member is null)
        {
            var current = await db.Set<ConversationMember>().AsNoTracking().SingleAsync(m => m.ConversationId == conversationId && m.UserId == userId, cancellationToken);
            return TypedResults.Ok(Views.Member(current));
        }

        var view = Views.Member(member);
        await events.PublishAsync(new ReadStateChanged(view), cancellationToken);
        return TypedResults.Ok(view);
    }

    internal static IQueryable<Conversation> MyConversations(TalkoDbContext db, Guid userId) =>
        from c in db.Set<Conversation>().AsNoTracking()
        join m in db.Set<ConversationMember>().AsNoTracking() on c.Id equals m.ConversationId
        where m.UserId == userId && m.RemovedAt == null
        select c;
}
