namespace Talko.Core.Conversations;

// What clients see of a conversation, the same in REST answers, sync pages and realtime events.
// Every record carries the conversation's change version at which it last changed (see docs/realtime.md).

/// <summary>
/// <c>Seq</c>: Position in the conversation's timeline: 1, 2, 3... without gaps.<br/>
/// <c>Version</c>: The conversation change version of this item's latest state (creation, edit or deletion).<br/>
/// <c>Text</c>: The text, or a photo's caption; null once deleted.<br/>
/// <c>CallOffsetMs</c>: Where in the call's recording the item belongs, in milliseconds from its start.<br/>
/// <c>SystemEvent</c>: For system items: what happened (member-added, member-removed, call-started, call-ended).<br/>
/// <c>SubjectUserId</c>: For system items about a person: who.<br/>
/// <c>DeletedAt</c>: Set on a tombstone: the item was deleted and its content is gone.<br/>
/// </summary>
public sealed record TimelineItem(
    Guid Id,
    Guid ConversationId,
    long Seq,
    long Version,
    ItemKind Kind,
    Guid? AuthorId,
    string? Text,
    MediaInfo? Media,
    MediaInfo? Thumbnail,
    long? DurationMs,
    Guid? CallId,
    long? CallOffsetMs,
    string? SystemEvent,
    Guid? SubjectUserId,
    string? IdempotencyKey,
    DateTimeOffset CreatedAt,
    DateTimeOffset? EditedAt,
    DateTimeOffset? DeletedAt);

/// <summary>
/// <c>Url</c>: Where members fetch it: /v1/blobs/{id}.<br/>
/// </summary>
public sealed record MediaInfo(string BlobId, string Url, string ContentType, long Length, int? Width, int? Height);

/// <summary>
/// <c>ItemId</c>: Set when the tag is on an item.<br/>
/// <c>CallId</c>: Set when the tag marks a moment of a call (with <paramref name="CallOffsetMs"/>).<br/>
/// <c>Removed</c>: True on a removal, which sync carries like a tombstone.<br/>
/// </summary>
public sealed record TagView(Guid Id, Guid ConversationId, long Version, string Tag, Guid? ItemId, Guid? CallId, long? CallOffsetMs, Guid AddedBy, DateTimeOffset CreatedAt, bool Removed);

/// <summary>A bookmark with a note, visible to every member.</summary>
public sealed record BookmarkView(Guid Id, Guid ConversationId, long Version, Guid? ItemId, Guid? CallId, long? CallOffsetMs, string? Note, Guid AuthorId, DateTimeOffset CreatedAt, bool Removed);

/// <summary>A personal marker to jump to; only its owner sees it.</summary>
public sealed record FlagView(Guid Id, Guid ConversationId, long Version, Guid? ItemId, Guid? CallId, long? CallOffsetMs, DateTimeOffset CreatedAt, bool Removed);

/// <summary>
/// <c>LastReadSeq</c>: The member's read position; everything up to it counts as read.<br/>
/// <c>Removed</c>: True once the person is no longer a member.<br/>
/// </summary>
public sealed record ConversationMemberView(Guid ConversationId, Guid UserId, long Version, long LastReadSeq, DateTimeOffset JoinedAt, bool Removed);

/// <summary>A conversation as one member sees it, with that member's read state.</summary>
public sealed record ConversationView(
    Guid Id,
    Guid GroupId,
    string Title,
    Guid CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ArchivedAt,
    long LastSeq,
    long Version,
    IReadOnlyList<string> Tags,
    long LastReadSeq,
    int UnreadCount);
