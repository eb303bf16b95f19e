using Microsoft.EntityFrameworkCore;
using Talko.Core.Conversations;
using Talko.Server.Data;
using Talko.Server.Features.Conversations.Entities;

namespace Talko.Server.Features.Conversations;

/// <summary>Entities to the views clients see (the same in REST, sync and realtime).</summary>
internal static class Views
{
    /// <summary>Stored times are UTC; SQLite hands them back without a kind.</summary>
    public static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    public static DateTimeOffset? Utc(DateTime? value) => value is { } v ? Utc(v) : null;

    public static async Task<List<TimelineItem>> ItemsAsync(TalkoDbContext db, IReadOnlyList<Item> items, CancellationToken cancellationToken)
    {
        var blobIds = items.SelectMany(i => new[] { i.MediaBlobId, i.ThumbnailBlobId }).OfType<string>().Distinct().ToList();
        var media = blobIds.Count == 0
            ? new Dictionary<string, MediaBlob>()
            : await db.Set<MediaBlob>().AsNoTracking().Where(m => blobIds.Contains(m.BlobId)).ToDictionaryAsync(m => m.BlobId, cancellationToken);
        return items.Select(i => Item(i, media)).ToList();
    }

    public static TimelineItem Item(Item item, IReadOnlyDictionary<string, MediaBlob> media) => new(
        item.Id,
        item.ConversationId,
        item.Seq,
        item.Version,
        item.Kind,
        item.AuthorId,
        item.Text,
        item.MediaBlobId is { } mediaId && media.TryGetValue(mediaId, out var m) ? Media(m) : null,
        item.ThumbnailBlobId is { } thumbId && media.TryGetValue(thumbId, out var t) ? Media(t) : null,
        item.DurationMs,
        item.CallId,
        item.CallOffsetMs,
        item.SystemEvent,
        item.SubjectUserId,
        item.IdempotencyKey,
        Utc(item.CreatedAt),
        Utc(item.EditedAt),
        Utc(item.DeletedAt));

    public static MediaInfo Media(MediaBlob blob) =>
        new(blob.BlobId, $"/v1/blobs/{blob.BlobId}", blob.ContentType, blob.Length, blob.Width, blob.Height);

    public static TagView Tag(Tag tag) =>
        new(tag.Id, tag.ConversationId, tag.Version, tag.Name, tag.ItemId, tag.CallId, tag.CallOffsetMs, tag.AddedBy, Utc(tag.CreatedAt), tag.RemovedAt is not null);

    public static BookmarkView Bookmark(Bookmark bookmark) =>
        new(bookmark.Id, bookmark.ConversationId, bookmark.Version, bookmark.ItemId, bookmark.CallId, bookmark.CallOffsetMs,
            bookmark.RemovedAt is null ? bookmark.Note : null, bookmark.AuthorId, Utc(bookmark.CreatedAt), bookmark.RemovedAt is not null);

    public static FlagView Flag(Flag flag) =>
        new(flag.Id, flag.ConversationId, flag.Version, flag.ItemId, flag.CallId, flag.CallOffsetMs, Utc(flag.CreatedAt), flag.RemovedAt is not null);

    public static ConversationMemberView Member(ConversationMember member) =>
        new(member.ConversationId, member.UserId, member.Version, member.LastReadSeq, Utc(member.JoinedAt), member.RemovedAt is not null);

    /// <summary>Conversations as <paramref name="userId"/> sees them: with conversation tags, read state and unread counts.</summary>
    public static async Task<List<ConversationView>> ConversationsAsync(TalkoDbContext db, IReadOnlyList<Guid> conversationIds, Guid userId, CancellationToken cancellationToken)
    {
        var rows = await (
            from c in db.Set<Conversation>().AsNoTracking()
            join m in db.Set<ConversationMember>().AsNoTracking() on new { ConversationId = c.Id, UserId = userId } equals new { m.ConversationId, m.UserId } into members
            from m in members.DefaultIfEmpty()
            where conversationIds.Contains(c.Id)
            select new { c, LastReadSeq = m == null ? 0 : m.LastReadSeq }).ToListAsync(cancellationToken);

        // Unread: other people's items after the read position that are still there.
        var unread = await (
            from i in db.Set<Item>().AsNoTracking()
            join m in db.Set<ConversationMember>().AsNoTracking() on new { i.ConversationId, UserId = userId } equals new { m.ConversationId, m.UserId }
            where conversationIds.Contains(i.ConversationId) && i.Seq > m.LastReadSeq && i.DeletedAt == null && (i.AuthorId == null || i.AuthorId != userId)
            group i by i.ConversationId into g
            select new { ConversationId = g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.ConversationId, x => x.Count, cancellationToken);

        var tags = (await db.Set<Tag>().AsNoTracking()
                .Where(t => conversationIds.Contains(t.ConversationId) && t.ItemId == null && t.CallId == null && t.RemovedAt == null)
                .Select(t => new { t.ConversationId, t.Name })
                .ToListAsync(cancellationToken))
            .ToLookup(t => t.ConversationId, t => t.Name);

        return rows
            .Select(r => new ConversationView(
                r.c.Id, r.c.GroupId, r.c.Title, r.c.CreatedBy, Utc(r.c.CreatedAt), Utc(r.c.ArchivedAt), r.c.LastSeq, r.c.Version,
                tags[r.c.Id].Distinct().Order(StringComparer.Ordinal).ToList(), r.LastReadSeq, unread.GetValueOrDefault(r.c.Id)))
            .OrderBy(v => v.Title, StringComparer.CurrentCultureIgnoreCase)
            .ToList();
    }
}
