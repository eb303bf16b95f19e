using Talko.Server.Data;

namespace Talko.Server.Features.Notifications.Routing;

/// <summary>A new text, photo or voice clip in a conversation, as notifications need to know it.</summary>
/// <param name="ConversationId">Where it was posted.</param>
/// <param name="ItemId">The item.</param>
/// <param name="Sequence">Its per-conversation sequence number (clients resume from it).</param>
/// <param name="AuthorUserId">Who posted it; never notified of their own item.</param>
/// <param name="Kind">"text", "photo", "voice" ...</param>
/// <param name="Title">The push title, e.g. "Ana in Design".</param>
/// <param name="Preview">A short preview ("Shall we ship?", "Photo", "Voice clip"); the trigger trims it.</param>
/// <param name="MentionedUserIds">Members mentioned by the item: they are notified even while the conversation is muted.</param>
public sealed record PostedItem(Guid ConversationId, Guid ItemId, long Sequence, Guid AuthorUserId, string Kind, string Title, string Preview, IReadOnlyCollection<Guid> MentionedUserIds);

/// <summary>A live call started in a conversation: the members' devices ring.</summary>
/// <param name="ConversationId">The call's conversation.</param>
/// <param name="CallId">The live call; the app joins it with this id.</param>
/// <param name="StartedByUserId">Who started it; their own devices do not ring.</param>
/// <param name="Title">E.g. "Ana is calling in Design".</param>
/// <param name="ItemId">The call-started timeline item, when one was staged.</param>
public sealed record StartedCall(Guid ConversationId, Guid CallId, Guid StartedByUserId, string Title, Guid? ItemId = null);

/// <summary>Someone added a person to a group or to a conversation.</summary>
/// <param name="UserId">Who was added: the recipient.</param>
/// <param name="ActorUserId">Who added them.</param>
/// <param name="GroupId">The group (of the conversation).</param>
/// <param name="ConversationId">The conversation; null for an addition to the group.</param>
/// <param name="Title">E.g. "Design".</param>
/// <param name="Body">E.g. "Ana added you to the group".</param>
public sealed record Addition(Guid UserId, Guid ActorUserId, Guid GroupId, Guid? ConversationId, string Title, string Body);

/// <summary>A bookmark added in a conversation (on an item or a moment of a call).</summary>
/// <param name="ConversationId">Where.</param>
/// <param name="BookmarkId">The bookmark.</param>
/// <param name="ItemId">The item it points at, if any.</param>
/// <param name="CallId">The call it points into, if any.</param>
/// <param name="AuthorUserId">Who added it; not notified.</param>
/// <param name="Title">E.g. "Ana bookmarked in Design".</param>
/// <param name="Body">The note, or what was bookmarked.</param>
public sealed record AddedBookmark(Guid ConversationId, Guid BookmarkId, Guid? ItemId, Guid? CallId, Guid AuthorUserId, string Title, string Body);

/// <summary>
/// The hooks features call inside their transaction, before their SaveChanges: the in-app entries and
/// the pushes are added to the caller's DbContext and commit (or roll back) with the change. After the
/// commit each recipient's devices get a realtime <c>notificationCreated</c> event.
/// </summary>
public interface INotificationTrigger
{
    /// <param name="db">The caller's DbContext, in the caller's transaction.</param>
    /// <param name="item">What was posted.</param>
    /// <param name="memberUserIds">The conversation's members (the author may be among them).</param>
    /// <param name="cancellationToken">Cancels the lookups.</param>
    Task OnItemPostedAsync(TalkoDbContext db, PostedItem item, IReadOnlyCollection<Guid> memberUserIds, CancellationToken cancellationToken = default);

    /// <summary>Rings the members' away phones (VoIP push on iOS, high-priority data message on Android); calls the calls feature makes in its transaction.</summary>
    Task OnCallStartedAsync(TalkoDbContext db, StartedCall call, IReadOnlyCollection<Guid> memberUserIds, CancellationToken cancellationToken = default);

    Task OnAddedAsync(TalkoDbContext db, Addition addition, CancellationToken cancellationToken = default);

    Task OnBookmarkAddedAsync(TalkoDbContext db, AddedBookmark bookmark, IReadOnlyCollection<Guid> memberUserIds, CancellationToken cancellationToken = default);
}
