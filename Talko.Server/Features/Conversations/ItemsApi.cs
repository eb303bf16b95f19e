using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Talko.Core.Conversations;
using Talko.Server.Data;
using Talko.Server.Features.Accounts;
using Talko.Server.Features.Conversations.Entities;
using Talko.Server.Input;
using Talko.Server.Kernel;

namespace Talko.Server.Features.Conversations;

/// <summary>A text item. The idempotency key is chosen by the client (a UUID, say) and reused on every retry of this post.</summary>
public sealed record PostTextRequest(string IdempotencyKey, string Text, Guid? CallId = null, long? CallOffsetMs = null);

public sealed record EditItemRequest(string Text);

/// <summary>A page of a timeline in sequence order; <c>HasMore</c> says whether further pages exist in the direction asked.</summary>
public sealed record ItemsPage(IReadOnlyList<TimelineItem> Items, bool HasMore);

public static class ItemsApi
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public static IEndpointRouteBuilder MapItemsEndpoints(this IEndpointRouteBuilder routes)
    {
        var items = routes.MapGroup("/v1/conversations/{conversationId:guid}").WithTags("Timeline").RequireAuthorization();
        items.MapGet("/items", List).WithSummary("History: after={seq} forward, before={seq} backward, neither for the latest");
        items.MapPost("/items", PostText).WithSummary("Post a text (201, or 200 with the same item on a retry)");
        items.MapPost("/photos", PostPhoto).WithSummary("Upload a photo as the raw body (JPEG, PNG, WebP, HEIC), with an Idempotency-Key header")
            .WithDescription("The body is the image itself. Its Content-Type may be image/jpeg, image/png, image/webp, image/heic or application/octet-stream; the content decides, and a label that contradicts it is refused (415).")
            .DescribesRawBody("application/octet-stream", "image/jpeg", "image/png", "image/webp", "image/heic");
        items.MapPost("/voice-clips", PostVoiceClip).WithSummary("Upload a voice clip as the raw body (WAV, Ogg/Opus, M4A), with an Idempotency-Key header")
            .WithDescription("The body is the clip itself. Its Content-Type may be audio/wav, audio/ogg, audio/mp4 or application/octet-stream; the content decides, and a label that contradicts it is refused (415).")
            .DescribesRawBody("application/octet-stream", "audio/wav", "audio/ogg", "audio/mp4");
        items.MapPatch("/items/{itemId:guid}", Edit).WithSummary("Edit the text of my item");
        items.MapDelete("/items/{itemId:guid}", Delete).WithSummary("Delete my item, leaving a tombstone");
        return routes;
    }

    private static async Task<Results<Ok<ItemsPage>, ProblemHttpResult>> List(
        Guid conversationId, long? after, long? before, int? limit, HttpContext http, TalkoDbContext db, IOptions<ConversationsOptions> options, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (await ConversationAccess.FindAsync(db, conversationId, http.User.GetUserId(), cancellationToken) is null)
        {
            return Problems.NotFound("conversation");
        }

        if (after is not null && before is not null)
        {
            return Problems.Invalid("Give after or before, not both.");
        }

        if (limit is < 1 || limit > settings.MaxPageSize)
        {
            return Problems.Invalid($"limit is 1 to {settings.MaxPageSize}.");
        }

        var take = limit ?? settings.DefaultPageSize;
        var query = db.Set<Item>().AsNoTracking().Where(i => i.ConversationId == conversationId);
        List<Item> rows;
        if (after is { } from)
        {
            rows = await query.Where(i => i.Seq > from).OrderBy(i => i.Seq).Take(take + 1).ToListAsync(cancellationToken);
        }
        else
        {
            var upTo = before ?? long.MaxValue;
            rows = await query.Where(i => i.Seq < upTo).OrderByDescending(i => i.Seq).Take(take + 1).ToListAsync(cancellationToken);
            rows.Reverse();
            if (rows.Count > take)
            {
                rows.RemoveAt(0);
                return TypedResults.Ok(new ItemsPage(await Views.ItemsAsync(db, rows, cancellationToken), true));
            }

            return TypedResults.Ok(new ItemsPage(await Views.ItemsAsync(db, rows, cancellationToken), false));
        }

        var hasMore = rows.Count > take;
        return TypedResults.Ok(new ItemsPage(await Views.ItemsAsync(db, rows.Take(take).ToList(), cancellationToken), hasMore));
    }

    private static async Task<Results<Created<TimelineItem>, Ok<TimelineItem>, ProblemHttpResult>> PostText(
        Guid conversationId, PostTextRequest request, HttpContext http, TalkoDbContext db, Timeline timeline, CallReferences callReferences, IOptions<ConversationsOptions> options, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var userId = http.User.GetUserId();
        if (await Writable(db, conversationId, userId, cancellationToken) is { } problem)
        {
            return problem;
        }

        if (ValidKey(request.IdempotencyKey, settings) is { } badKey)
        {
            return badKey;
        }

        if (FieldProblems.CheckText("text", request.Text, TextRules.ItemText(settings, required: true), out var text) is { } badText)
        {
            return badText;
        }

        if (await callReferences.CheckAsync(conversationId, request.CallId, request.CallOffsetMs, cancellationToken) is { } badCall)
        {
            return badCall;
        }

        var result = await timeline.AppendAsync(conversationId, new NewItem(ItemKind.Text, userId, request.IdempotencyKey, text, CallId: request.CallId, CallOffsetMs: request.CallOffsetMs), cancellationToken);
        return Answer(result);
    }

    private static Task<Results<Created<TimelineItem>, Ok<TimelineItem>, ProblemHttpResult>> PostPhoto(
        Guid conversationId, [FromHeader(Name = IdempotencyKeyHeader)] string? idempotencyKey, string? caption, Guid? callId, long? callOffsetMs,
        HttpContext http, TalkoDbContext db, Timeline timeline, MediaUpload upload, CallReferences callReferences, IOptions<ConversationsOptions> options, CancellationToken cancellationToken) =>
        PostMediaAsync(ItemKind.Photo, conversationId, idempotencyKey, caption, callId, callOffsetMs, http, db, timeline, upload, callReferences, options.Value, cancellationToken);

    private static Task<Results<Created<TimelineItem>, Ok<TimelineItem>, ProblemHttpResult>> PostVoiceClip(
        Guid conversationId, [FromHeader(Name = IdempotencyKeyHeader)] string? idempotencyKey, Guid? callId, long? callOffsetMs,
        HttpContext http, TalkoDbContext db, Timeline timeline, MediaUpload upload, CallReferences callReferences, IOptions<ConversationsOptions> options, CancellationToken cancellationToken) =>
        PostMediaAsync(ItemKind.VoiceClip, conversationId, idempotencyKey, null, callId, callOffsetMs, http, db, timeline, upload, callReferences, options.Value, cancellationToken);

    private static async Task<Results<Created<TimelineItem>, Ok<TimelineItem>, ProblemHttpResult>> PostMediaAsync(
        ItemKind kind, Guid conversationId, string? idempotencyKey, string? caption, Guid? callId, long? callOffsetMs,
        HttpContext http, TalkoDbContext db, Timeline timeline, MediaUpload upload, CallReferences callReferences, ConversationsOptions settings, CancellationToken cancellationToken)
    {
        var userId = http.User.GetUserId();
        if (await Writable(db, conversationId, userId, cancellationToken) is { } problem)
        {
            return problem;
        }

        if (ValidKey(idempotencyKey, settings) is { } badKey)
        {
            return badKey;
        }

        if (FieldProblems.CheckText("caption", caption, TextRules.ItemText(settings, required: false), out caption) is { } badCaption)
        {
            return badCaption;
        }

        if (await callReferences.CheckAsync(conversationId, callId, callOffsetMs, cancellationToken) is { } badCall)
        {
            return badCall;
        }

        // A retry of an upload that succeeded: answer at once, without storing the content again.
        if (await timeline.FindByKeyAsync(conversationId, userId, idempotencyKey, cancellationToken) is { } earlier)
        {
            return TypedResults.Ok(earlier);
        }

        var (stored, refused) = await upload.StoreAsync(http.Request, kind, conversationId, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var draft = new NewItem(kind, userId, idempotencyKey, caption, stored!.Media, stored.Thumbnail, stored.DurationMs, callId, callOffsetMs);
        AppendResult? result = null;
        try
        {
            result = await timeline.AppendAsync(conversationId, draft, cancellationToken);
            return Answer(result);
        }
        finally
        {
            if (result is not { Created: true })
            {
                // Not attached to a new item (a concurrent retry won, or the conversation went): drop the files.
                await timeline.DeleteBlobsAsync(new[] { stored.Media.BlobId, stored.Thumbnail?.BlobId }.OfType<string>(), cancellationToken);
            }
        }
    }

    private static async Task<Results<Ok<TimelineItem>, ProblemHttpResult>> Edit(
        Guid conversationId, Guid itemId, EditItemRequest request, HttpContext http, TalkoDbContext db, Timeline timeline, IOptions<ConversationsOptions> options, CancellationToken cancellationToken)
    {
        var userId = http.User.GetUserId();
        var (item, problem) = await ChangeableItem(db, conversationId, itemId, userId, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (FieldProblems.CheckText("text", request.Text, TextRules.ItemText(options.Value, required: item!.Kind == ItemKind.Text), out var text) is { } badText)
        {
            return badText;
        }

        var edited = await timeline.EditAsync(item, text, cancellationToken);
        return edited is null ? Problems.NotFound("item") : TypedResults.Ok(edited);
    }

    private static async Task<Results<Ok<TimelineItem>, ProblemHttpResult>> Delete(
        Guid conversationId, Guid itemId, HttpContext http, TalkoDbContext db, Timeline timeline, CancellationToken cancellationToken)
    {
        var userId = http.User.GetUserId();
        var (item, problem) = await ChangeableItem(db, conversationId, itemId, userId, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var deleted = await timeline.DeleteAsync(item!, cancellationToken);
        return deleted is null ? Problems.NotFound("item") : TypedResults.Ok(deleted);
    }

    private static async Task<(Item? Item, ProblemHttpResult? Problem)> ChangeableItem(TalkoDbContext db, Guid conversationId, Guid itemId, Guid userId, CancellationToken cancellationToken)
    {
        if (await ConversationAccess.FindAsync(db, conversationId, userId, cancellationToken) is null)
        {
            return (null, Problems.NotFound("conversation"));
        }

        var item = await db.Set<Item>().AsNoTracking().SingleOrDefaultAsync(i => i.Id == itemId && i.ConversationId == conversationId, cancellationToken);
        if (item is null)
        {
            return (null, Problems.NotFound("item"));
        }

        if (!GroupPermissions.CanChangeItem(userId, item.AuthorId ?? Guid.Empty, item.Kind))
        {
            return (null, Problems.Forbidden("Only the author changes an item."));
        }

        return item.DeletedAt is null ? (item, null) : (null, Problems.Conflict("deleted", "The item was deleted."));
    }

    private static Results<Created<TimelineItem>, Ok<TimelineItem>, ProblemHttpResult> Answer(AppendResult? result) => result switch
    {
        null => Problems.NotFound("conversation"),
        { Created: true } => TypedResults.Created($"/v1/conversations/{result.Item.ConversationId}/items?after={result.Item.Seq - 1}&limit=1", result.Item),
        _ => TypedResults.Ok(result.Item),
    };

    /// <summary>Members may post unless the conversation is archived (read-only until unarchived).</summary>
    private static async Task<ProblemHttpResult?> Writable(TalkoDbContext db, Guid conversationId, Guid userId, CancellationToken cancellationToken) =>
        await ConversationAccess.FindAsync(db, conversationId, userId, cancellationToken) switch
        {
            null => Problems.NotFound("conversation"),
            { Conversation.ArchivedAt: not null } => Problems.Conflict("archived", "The conversation is archived; unarchive it to post."),
            _ => null,
        };

    private static ProblemHttpResult? ValidKey(string? key, ConversationsOptions settings) =>
        string.IsNullOrWhiteSpace(key) || key.Length > settings.MaxIdempotencyKeyLength || key.Any(c => c < 0x21 || c > 0x7E)
            ? Problems.Invalid($"An idempotency key (printable ASCII, 1 to {settings.MaxIdempotencyKeyLength} characters) is required; reuse it when retrying.")
            : null;
}
