using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Talko.Core.Blobs;
using Talko.Core.Conversations;
using Talko.Server.Data;
using Talko.Server.Features.Conversations.Entities;
using Talko.Server.Features.Notifications.Routing;

namespace Talko.Server.Features.Conversations;

/// <summary>What to append to a timeline. Media rows are stored with the item, in its transaction.</summary>
public sealed record NewItem(
    ItemKind Kind,
    Guid? AuthorId,
    string? IdempotencyKey,
    string? Text = null,
    MediaBlob? Media = null,
    MediaBlob? Thumbnail = null,
    long? DurationMs = null,
    Guid? CallId = null,
    long? CallOffsetMs = null,
    string? SystemEvent = null,
    Guid? SubjectUserId = null);

/// <summary>The item, and whether this call created it (false: the idempotency key named an existing item, a retry).</summary>
public sealed record AppendResult(TimelineItem Item, bool Created);

/// <summary>
/// Writes to conversation timelines: append (with sequence numbers and idempotency), edit and delete.
/// Commits first, then publishes. Other features (calls: call-started and call-ended system items) append here.
/// </summary>
public sealed partial class Timeline(
    TalkoDbContext db,
    IConversationEventPublisher events,
    ConversationNotifications notifications,
    IBlobStore blobs,
    TimeProvider time,
    IOptions<ConversationsOptions> options,
    ILogger<Timeline> logger,
    ILiveCallClock? liveCalls = null)
{
    public const string MemberAdded = "member-added";
    public const string MemberRemoved = "member-removed";
    public const string CallStarted = "call-started";
    public const string CallEnded = "call-ended";

    /// <summary>
    /// Appends an item, or returns the existing one when its author already posted this idempotency key
    /// here. Null when the conversation does not exist.
    /// </summary>
    public async Task<AppendResult?> AppendAsync(Guid conversationId, NewItem draft, CancellationToken cancellationToken)
    {
        if (await FindByKeyAsync(conversationId, draft.AuthorId, draft.IdempotencyKey, cancellationToken) is { } earlier)
        {
            // A retry: the first attempt may have committed on an instance that died (or lost Redis) before it
            // published, and then no live event would ever say so. Events are idempotent, so say it again (ADR 0205).
            await events.PublishAsync(new ItemCreated(earlier), cancellationToken);
            return new AppendResult(earlier, false);
        }

        // Posted during a live call: the item (and the hashtags in it) carry the call and the offset into its recording.
        if (draft.CallId is null && draft.Kind != ItemKind.System && liveCalls is not null
            && await liveCalls.FindLiveAsync(conversationId, cancellationToken) is { } live)
        {
            draft = draft with { CallId = live.CallId, CallOffsetMs = live.OffsetMs };
        }

        Appended? appended;
        try
        {
            appended = await ConversationTransaction.ExecuteAsync(db, conversationId, appendsItem: true, async stamp =>
            {
                var item = Stage(conversationId, draft, stamp);
                var tags = StageTextTags(item, options.Value.MaxTagsPerItem);
                // In this transaction: the notifications commit or roll back with the item.
                await notifications.ItemPostedAsync(db, item, cancellationToken);
                return new Appended(item, tags);
            }, cancellationToken);
        }
        catch (DbUpdateException) when (draft.IdempotencyKey is not null)
        {
            // A concurrent retry with the same key won the unique index; its item is the answer.
            db.ChangeTracker.Clear();
            if (await FindByKeyAsync(conversationId, draft.AuthorId, draft.IdempotencyKey, cancellationToken) is { } winner)
            {
                return new AppendResult(winner, false);
            }

            throw;
        }

        if (appended is null)
        {
            return null;
        }

        var done = appended;
        var view = View(done.Item, draft);
        await events.PublishAsync(new ItemCreated(view), cancellationToken);
        foreach (var tag in done.Tags)
        {
            await events.PublishAsync(new TagChanged(Views.Tag(tag)), cancellationToken);
        }

        return new AppendResult(view, true);
    }

    /// <summary>Adds <paramref name="draft"/> to the context with the numbers of <paramref name="stamp"/>; for use inside a <see cref="ConversationTransaction"/>.</summary>
    public Item Stage(Guid conversationId, NewItem draft, ChangeStamp stamp)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var item = new Item
        {
            Id = Guid.CreateVersion7(),
            ConversationId = conversationId,
            Seq = stamp.Seq,
            Version = stamp.Version,
            Kind = draft.Kind,
            AuthorId = draft.AuthorId,
            Text = draft.Text,
            MediaBlobId = draft.Media?.BlobId,
            ThumbnailBlobId = draft.Thumbnail?.BlobId,
            DurationMs = draft.DurationMs,
            CallId = draft.CallId,
            CallOffsetMs = draft.CallOffsetMs,
            SystemEvent = draft.SystemEvent,
            SubjectUserId = draft.SubjectUserId,
            IdempotencyKey = draft.IdempotencyKey,
            CreatedAt = now,
        };
        db.Add(item);
        foreach (var media in new[] { draft.Media, draft.Thumbnail }.OfType<MediaBlob>())
        {
            media.ConversationId = conversationId;
            media.CreatedAt = now;
            db.Add(media);
        }

        return item;
    }

    /// <summary>After the commit: tells every instance about an item <see cref="Stage"/>d without media (a system item).</summary>
    public Task PublishStagedAsync(Item item, CancellationToken cancellationToken) =>
        events.PublishAsync(new ItemCreated(Views.Item(item, new Dictionary<string, MediaBlob>())), cancellationToken);

    /// <summary>Replaces the text of an item (and the hashtags typed in it). Null if it does not exist.</summary>
    public async Task<TimelineItem?> EditAsync(Item existing, string? text, CancellationToken cancellationToken)
    {
        var result = await ConversationTransaction.ExecuteAsync(db, existing.ConversationId, appendsItem: false, async stamp =>
        {
            var item = await db.Set<Item>().SingleAsync(i => i.Id == existing.Id, cancellationToken);
            item.Text = text;
            item.Version = stamp.Version;
            item.EditedAt = time.GetUtcNow().UtcDateTime;
            var removed = await RemoveTextTagsAsync(item, stamp, cancellationToken);
            var added = StageTextTags(item, options.Value.MaxTagsPerItem);
            return new { item, Tags = removed.Concat(added).ToList() };
        }, cancellationToken);
        if (result is null)
        {
            return null;
        }

        var view = (await Views.ItemsAsync(db, [result.item], cancellationToken))[0];
        await events.PublishAsync(new ItemUpdated(view), cancellationToken);
        foreach (var tag in result.Tags)
        {
            await events.PublishAsync(new TagChanged(Views.Tag(tag)), cancellationToken);
        }

        return view;
    }

    /// <summary>
    /// Turns an item into a tombstone: content, media and tags go; the row stays so sync carries the
    /// deletion. The blobs are deleted after the commit (a crash in between leaves only unreachable files).
    /// </summary>
    public async Task<TimelineItem?> DeleteAsync(Item existing, CancellationToken cancellationToken)
    {
        var result = await ConversationTransaction.ExecuteAsync(db, existing.ConversationId, appendsItem: false, async stamp =>
        {
            var item = await db.Set<Item>().SingleAsync(i => i.Id == existing.Id, cancellationToken);
            var blobIds = new[] { item.MediaBlobId, item.ThumbnailBlobId }.OfType<string>().ToList();
            await db.Set<MediaBlob>().Where(m => blobIds.Contains(m.BlobId)).ExecuteDeleteAsync(cancellationToken);
            item.Text = null;
            item.MediaBlobId = null;
            item.ThumbnailBlobId = null;
            item.DurationMs = null;
            item.Version = stamp.Version;
            item.DeletedAt = time.GetUtcNow().UtcDateTime;
            var tags = await db.Set<Tag>().Where(t => t.ItemId == item.Id && t.RemovedAt == null).ToListAsync(cancellationToken);
            foreach (var tag in tags)
            {
                tag.RemovedAt = item.DeletedAt;
                tag.Version = stamp.Version;
            }

            return new { item, blobIds, tags };
        }, cancellationToken);
        if (result is null)
        {
            return null;
        }

        await DeleteBlobsAsync(result.blobIds, cancellationToken);
        var view = Views.Item(result.item, new Dictionary<string, MediaBlob>());
        await events.PublishAsync(new ItemUpdated(view), cancellationToken);
        foreach (var tag in result.tags)
        {
            await events.PublishAsync(new TagChanged(Views.Tag(tag)), cancellationToken);
        }

        return view;
    }

    public async Task<TimelineItem?> FindByKeyAsync(Guid conversationId, Guid? authorId, string? idempotencyKey, CancellationToken cancellationToken)
    {
        if (idempotencyKey is null)
        {
            return null;
        }

        var item = await db.Set<Item>().AsNoTracking()
            .SingleOrDefaultAsync(i => i.ConversationId == conversationId && i.AuthorId == authorId && i.IdempotencyKey == idempotencyKey, cancellationToken);
        return item is null ? null : (await Views.ItemsAsync(db, [item], cancellationToken))[0];
    }

    private List<Tag> StageTextTags(Item item, int maxTags)
    {
        if (item.AuthorId is not { } author)
        {
            return [];
        }

        var tags = Hashtags.Parse(item.Text, maxTags)
            .Select(name => new Tag
            {
                Id = Guid.CreateVersion7(),
                ConversationId = item.ConversationId,
                Name = name,
                ItemId = item.Id,
                CallId = item.CallId,
                CallOffsetMs = item.CallOffsetMs,
                FromText = true,
                AddedBy = author,
                CreatedAt = time.GetUtcNow().UtcDateTime,
                Version = item.Version,
            })
            .ToList();
        db.AddRange(tags);
        return tags;
    }

    private async Task<List<Tag>> RemoveTextTagsAsync(Item item, ChangeStamp stamp, CancellationToken cancellationToken)
    {
        var tags = await db.Set<Tag>().Where(t => t.ItemId == item.Id && t.FromText && t.RemovedAt == null).ToListAsync(cancellationToken);
        foreach (var tag in tags)
        {
            tag.RemovedAt = time.GetUtcNow().UtcDateTime;
            tag.Version = stamp.Version;
        }

        return tags;
    }

    /// <summary>Best effort: a blob left behind is unreachable (no row names it) and costs only space.</summary>
    public async Task DeleteBlobsAsync(IEnumerable<string> blobIds, CancellationToken cancellationToken)
    {
        foreach (var blobId in blobIds)
        {
            try
            {
                await blobs.DeleteAsync(blobId, CancellationToken.None);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                ConversationsLog.BlobDeleteFailed(logger, blobId, exception);
            }
        }
    }

    private sealed record Appended(Item Item, List<Tag> Tags);

    private static TimelineItem View(Item item, NewItem draft)
    {
        var media = new[] { draft.Media, draft.Thumbnail }.OfType<MediaBlob>().ToDictionary(m => m.BlobId);
        return Views.Item(item, media);
    }
}
