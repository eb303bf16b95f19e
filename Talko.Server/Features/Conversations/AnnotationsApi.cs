using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Talko.Core.Conversations;
using Talko.Server.Data;
using Talko.Server.Features.Accounts;
using Talko.Server.Features.Conversations.Entities;
using Talko.Server.Features.Notifications.Routing;
using Talko.Server.Input;
using Talko.Server.Kernel;

namespace Talko.Server.Features.Conversations;

/// <summary>What a tag, flag or bookmark points at: nothing (the conversation, tags only), an item, or a moment of a call.</summary>
public sealed record AddTagRequest(string Tag, Guid? ItemId = null, Guid? CallId = null, long? CallOffsetMs = null);

public sealed record AddBookmarkRequest(string? Note, Guid? ItemId = null, Guid? CallId = null, long? CallOffsetMs = null);

public sealed record AddFlagRequest(Guid? ItemId = null, Guid? CallId = null, long? CallOffsetMs = null);

/// <summary>Tags (everyone sees), bookmarks with notes (everyone sees), flags (only their owner sees).</summary>
public static class AnnotationsApi
{
    public static IEndpointRouteBuilder MapAnnotationsEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/conversations/{conversationId:guid}").WithTags("Tags, flags and bookmarks").RequireAuthorization();
        group.MapGet("/tags", ListTags);
        group.MapPost("/tags", AddTag).WithSummary("Tag the conversation, an item, or a moment of a call");
        group.MapDelete("/tags/{tagId:guid}", RemoveTag);
        group.MapGet("/bookmarks", ListBookmarks);
        group.MapPost("/bookmarks", AddBookmark);
        group.MapDelete("/bookmarks/{bookmarkId:guid}", RemoveBookmark);
        group.MapGet("/flags", ListFlags).WithSummary("My flags");
        group.MapPost("/flags", AddFlag);
        group.MapDelete("/flags/{flagId:guid}", RemoveFlag);
        return routes;
    }

    private static async Task<Results<Ok<List<TagView>>, ProblemHttpResult>> ListTags(Guid conversationId, HttpContext http, TalkoDbContext db, CancellationToken cancellationToken)
    {
        if (await ConversationAccess.FindAsync(db, conversationId, http.User.GetUserId(), cancellationToken) is null)
        {
            return Problems.NotFound("conversation");
        }

        var tags = await db.Set<Tag>().AsNoTracking().Where(t => t.ConversationId == conversationId && t.RemovedAt == null).OrderBy(t => t.Version).ToListAsync(cancellationToken);
        return TypedResults.Ok(tags.Select(Views.Tag).ToList());
    }

    private static async Task<Results<Created<TagView>, ProblemHttpResult>> AddTag(
        Guid conversationId, AddTagRequest request, HttpContext http, TalkoDbContext db, CallReferences callReferences, IConversationEventPublisher events, TimeProvider time, CancellationToken cancellationToken)
    {
        var userId = http.User.GetUserId();
        if (await Target(db, callReferences, conversationId, userId, request.ItemId, request.CallId, request.CallOffsetMs, cancellationToken) is { } problem)
        {
            return problem;
        }

        if (FieldProblems.CheckText("tag", request.Tag, TextRules.Tag, out var raw) is { } badTag)
        {
            return badTag;
        }

        if (Hashtags.Normalize(raw) is not { } name)
        {
            return FieldProblems.Invalid("tag", $"A tag is letters, digits, '_' or '-', at most {Hashtags.MaxLength} characters.");
        }

        var tag = await ConversationTransaction.ExecuteAsync(db, conversationId, appendsItem: false, stamp =>
        {
            var tag = new Tag
            {
                Id = Guid.CreateVersion7(), ConversationId = conversationId, Name = name, ItemId = request.ItemId, CallId = request.CallId,
                CallOffsetMs = request.CallOffsetMs, AddedBy = userId, CreatedAt = time.GetUtcNow().UtcDateTime, Version = stamp.Version,
            };
            db.Add(tag);
            return Task.FromResult<Tag?>(tag);
        }, cancellationToken);
        var view = Views.Tag(tag!);
        await events.PublishAsync(new TagChanged(view), cancellationToken);
        return TypedResults.Created($"/v1/conversations/{conversationId}/tags/{view.Id}", view);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveTag(
        Guid conversationId, Guid tagId, HttpContext http, TalkoDbContext db, IConversationEventPublisher events, TimeProvider time, CancellationToken cancellationToken)
    {
        var userId = http.User.GetUserId();
        if (await ConversationAccess.FindAsync(db, conversationId, userId, cancellationToken) is not { } access)
        {
            return Problems.NotFound("conversation");
        }

        var existing = await db.Set<Tag>().AsNoTracking().SingleOrDefaultAsync(t => t.Id == tagId && t.ConversationId == conversationId && t.RemovedAt == null, cancellationToken);
        if (existing is null)
        {
            return Problems.NotFound("tag");
        }

        if (!GroupPermissions.CanRemoveAnnotation(userId, access.Role, existing.AddedBy))
        {
            return Problems.Forbidden("Only whoever added a tag, or a group owner or admin, removes it.");
        }

        var tag = await ConversationTransaction.ExecuteAsync(db, conversationId, appendsItem: false, async stamp =>
        {
            var tag = await db.Set<Tag>().SingleOrDefaultAsync(t => t.Id == tagId && t.RemovedAt == null, cancellationToken);
            if (tag is not null)
            {
                tag.RemovedAt = time.GetUtcNow().UtcDateTime;
                tag.Version = stamp.Version;
            }

            return tag;
        }, cancellationToken);
        if (tag is not null)
        {
            await events.PublishAsync(new TagChanged(Views.Tag(tag)), cancellationToken);
        }

        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<List<BookmarkView>>, ProblemHttpResult>> ListBookmarks(Guid conversationId, HttpContext http, TalkoDbContext db, CancellationToken cancellationToken)
    {
        if (await ConversationAccess.FindAsync(db, conversationId, http.User.GetUserId(), cancellationToken) is null)
        {
            return Problems.NotFound("conversation");
        }

        var bookmarks = await db.Set<Bookmark>().AsNoTracking().Where(b => b.ConversationId == conversationId && b.RemovedAt == null).OrderBy(b => b.Version).ToListAsync(cancellationToken);
        return TypedResults.Ok(bookmarks.Select(Views.Bookmark).ToList());
    }

    private static async Task<Results<Created<BookmarkView>, ProblemHttpResult>> AddBookmark(
        Guid conversationId, AddBookmarkRequest request, HttpContext http, TalkoDbContext db, CallReferences callReferences, IConversationEventPublisher events, ConversationNotifications notifications,
        TimeProvider time, IOptions<ConversationsOptions> options, CancellationToken cancellationToken)
    {
        var userId = http.User.GetUserId();
        if (await Target(db, callReferences, conversationId, userId, request.ItemId, request.CallId, request.CallOffsetMs, cancellationToken) is { } problem)
        {
            return problem;
        }

        if (request.ItemId is null && request.CallId is null)
        {
            return Problems.Invalid("A bookmark points at an item or a moment of a call.");
        }

        if (FieldProblems.CheckText("note", request.Note, TextRules.BookmarkNote(options.Value), out var note) is { } badNote)
        {
            return badNote;
        }

        var bookmark = await ConversationTransaction.ExecuteAsync(db, conversationId, appendsItem: false, async stamp =>
        {
            var bookmark = new Bookmark
            {
                Id = Guid.CreateVersion7(), ConversationId = conversationId, ItemId = request.ItemId, CallId = request.CallId, CallOffsetMs = request.CallOffsetMs,
                Note = note, AuthorId = userId, CreatedAt = time.GetUtcNow().UtcDateTime, Version = stamp.Version,
            };
            db.Add(bookmark);
            await notifications.BookmarkAddedAsync(db, bookmark, cancellationToken);
            return bookmark;
        }, cancellationToken);
        var view = Views.Bookmark(bookmark!);
        await events.PublishAsync(new BookmarkChanged(view), cancellationToken);
        return TypedResults.Created($"/v1/conversations/{conversationId}/bookmarks/{view.Id}", view);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveBookmark(
        Guid conversationId, Guid bookmarkId, HttpContext http, TalkoDbContext db, IConversationEventPublisher events, TimeProvider time, CancellationToken cancellationToken)
    {
        var userId = http.User.GetUserId();
        if (await ConversationAccess.FindAsync(db, conversationId, userId, cancellationToken) is not { } access)
        {
            return Problems.NotFound("conversation");
        }

        var existing = await db.Set<Bookmark>().AsNoTracking().SingleOrDefaultAsync(b => b.Id == bookmarkId && b.ConversationId == conversationId && b.RemovedAt == null, cancellationToken);
        if (existing is null)
        {
            return Problems.NotFound("bookmark");
        }

        if (!GroupPermissions.CanRemoveAnnotation(userId, access.Role, existing.AuthorId))
        {
            return Problems.Forbidden("Only whoever added a bookmark, or a group owner or admin, removes it.");
        }

        var bookmark = await ConversationTransaction.ExecuteAsync(db, conversationId, appendsItem: false, async stamp =>
        {
            var bookmark = await db.Set<Bookmark>().SingleOrDefaultAsync(b => b.Id == bookmarkId && b.RemovedAt == null, cancellationToken);
            if (bookmark is not null)
            {
                bookmark.RemovedAt = time.GetUtcNow().UtcDateTime;
                bookmark.Version = stamp.Version;
            }

            return bookmark;
        }, cancellationToken);
        if (bookmark is not null)
        {
            await events.PublishAsync(new BookmarkChanged(Views.Bookmark(bookmark)), cancellationToken);
        }

        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<List<FlagView>>, ProblemHttpResult>> ListFlags(Guid conversationId, HttpContext http, TalkoDbContext db, CancellationToken cancellationToken)
    {
        var userId = http.User.GetUserId();
        if (await ConversationAccess.FindAsync(db, conversationId, userId, cancellationToken) is null)
        {
            return Problems.NotFound("conversation");
        }

        var flags = await db.Set<Flag>().AsNoTracking().Where(f => f.ConversationId == conversationId && f.UserId == userId && f.RemovedAt == null).OrderBy(f => f.Version).ToListAsync(cancellationToken);
        return TypedResults.Ok(flags.Select(Views.Flag).ToList());
    }

    private static async Task<Results<Created<FlagView>, ProblemHttpResult>> AddFlag(
        Guid conversationId, AddFlagRequest request, HttpContext http, TalkoDbContext db, CallReferences callReferences, IConversationEventPublisher events, TimeProvider time, CancellationToken cancellationToken)
    {
        var userId = http.User.GetUserId();
        if (await Target(db, callReferences, conversationId, userId, request.ItemId, request.CallId, request.CallOffsetMs, cancellationToken) is { } problem)
        {
            return problem;
        }

        if (request.ItemId is null && request.CallId is null)
        {
            return Problems.Invalid("A flag points at an item or a moment of a call.");
        }

        var flag = await ConversationTransaction.ExecuteAsync(db, conversationId, appendsItem: false, stamp =>
        {
            var flag = new Flag
            {
                Id = Guid.CreateVersion7(), ConversationId = conversationId, UserId = userId, ItemId = request.ItemId, CallId = request.CallId,
                CallOffsetMs = request.CallOffsetMs, CreatedAt = time.GetUtcNow().UtcDateTime, Version = stamp.Version,
            };
            db.Add(flag);
            return Task.FromResult<Flag?>(flag);
        }, cancellationToken);
        var view = Views.Flag(flag!);
        await events.PublishAsync(new FlagChanged(userId, view), cancellationToken);
        return TypedResults.Created($"/v1/conversations/{conversationId}/flags/{view.Id}", view);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveFlag(
        Guid conversationId, Guid flagId, HttpContext http, TalkoDbContext db, IConversationEventPublisher events, TimeProvider time, CancellationToken cancellationToken)
    {
        var userId = http.User.GetUserId();
        if (await ConversationAccess.FindAsync(db, conversationId, userId, cancellationToken) is null)
        {
            return Problems.NotFound("conversation");
        }

        var flag = await ConversationTransaction.ExecuteAsync(db, conversationId, appendsItem: false, async stamp =>
        {
            var flag = await db.Set<Flag>().SingleOrDefaultAsync(f => f.Id == flagId && f.ConversationId == conversationId && f.UserId == userId && f.RemovedAt == null, cancellationToken);
            if (flag is not null)
            {
                flag.RemovedAt = time.GetUtcNow().UtcDateTime;
                flag.Version = stamp.Version;
            }

            return flag;
        }, cancellationToken);
        if (flag is null)
        {
            return Problems.NotFound("flag");
        }

        await events.PublishAsync(new FlagChanged(userId, Views.Flag(flag)), cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>Member check, and that a referenced item or call belongs to this conversation.</summary>
    private static async Task<ProblemHttpResult?> Target(TalkoDbContext db, CallReferences callReferences, Guid conversationId, Guid userId, Guid? itemId, Guid? callId, long? callOffsetMs, CancellationToken cancellationToken)
    {
        if (await ConversationAccess.FindAsync(db, conversationId, userId, cancellationToken) is null)
        {
            return Problems.NotFound("conversation");
        }

        if (itemId is { } id && !await db.Set<Item>().AnyAsync(i => i.Id == id && i.ConversationId == conversationId && i.DeletedAt == null, cancellationToken))
        {
            return Problems.NotFound("item");
        }

        return await callReferences.CheckAsync(conversationId, callId, callOffsetMs, cancellationToken);
    }
}
