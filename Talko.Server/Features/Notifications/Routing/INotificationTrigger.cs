using Talko.Server.Data;

namespace Talko.Server.Features.Notifications.Routing;

/// <summary>A new text, photo, voice clip or call in a conversation, as notifications need to know it.</summary>
/// <param name="ConversationId">Where it was posted.</param>
/// <param name="ItemId">The item.</param>
/// <param name="Sequence">Its per-conversation sequence number (clients resume from it).</param>
/// <param name="AuthorUserId">Who posted it; never notified of their own item.</param>
/// <param name="Kind">"text", "photo", "voice", "call" ...</param>
/// <param name="Title">The push title, e.g. "Ana in Design".</param>
/// <param name="Preview">A short preview ("Shall we ship?", "Photo", "Voice clip"); the trigger trims it.</param>
/// <param name="MentionedUserIds">Members mentioned by the item: they are notified even while the conversation is muted.</param>
public sealed record PostedItem(Guid ConversationId, Guid ItemId, long Sequence, Guid AuthorUserId, string Kind, string Title, string Preview, IReadOnlyCollection<Guid> MentionedUserIds);

/// <summary>
/// The hook conversations calls inside its transaction, before its SaveChanges, when an item is posted:
/// the in-app entries and the pushes are added to the caller's DbContext and commit with the item.
/// </summary>
public interface INotificationTrigger
{
    /// <param name="db">The caller's DbContext, in the caller's transaction.</param>
    /// <param name="item">What was posted.</param>
    /// <param name="memberUserIds">The conversation's members (the author may be among them).</param>
    /// <param name="cancellationToken">Cancels the lookups.</param>
    Task OnItemPostedAsync(TalkoDbContext db, PostedItem item, IReadOnlyCollection<Guid> memberUserIds, CancellationToken cancellationToken = default);
}
