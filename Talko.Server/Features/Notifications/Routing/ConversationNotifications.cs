using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Talko.Core.Conversations;
using Talko.Core.Notifications;
using Talko.Server.Data;
using Talko.Server.Features.Accounts.Entities;
using Talko.Server.Features.Conversations.Entities;
using Talko.Server.Features.Groups.Entities;

namespace Talko.Server.Features.Notifications.Routing;

/// <summary>
/// What conversations, groups and calls call from inside their transactions (before SaveChanges): it
/// reads the names, members and mentions the notification needs, in the caller's DbContext, and hands
/// the event to <see cref="INotificationTrigger"/>. Keeps those write paths to one line each.
/// </summary>
public sealed class ConversationNotifications(INotificationTrigger trigger, IOptions<NotificationsOptions> options)
{
    /// <summary>A text, photo or voice clip was staged; system items are not notified through here.</summary>
    public async Task ItemPostedAsync(TalkoDbContext db, Item item, CancellationToken cancellationToken)
    {
        if (item.AuthorId is not { } author || item.Kind == ItemKind.System)
        {
            return;
        }

        var context = await LoadAsync(db, item.ConversationId, author, cancellationToken);
        if (context is null)
        {
            return;
        }

        var others = context.Members.Where(m => m.UserId != author).Select(m => new Mentionable(m.UserId, m.DisplayName ?? "")).ToList();
        // A photo's caption mentions as a text does.
        var mentioned = Mentions.Find(item.Text, others, options.Value.MaxMentionsPerItem);
        var preview = item.Kind switch
        {
            ItemKind.Photo => string.IsNullOrWhiteSpace(item.Text) ? "Photo" : $"Photo: {item.Text}",
            ItemKind.VoiceClip => "Voice clip",
            _ => item.Text ?? "",
        };
        var kind = item.Kind switch { ItemKind.Photo => "photo", ItemKind.VoiceClip => "voice", _ => "text" };
        await trigger.OnItemPostedAsync(
            db,
            new PostedItem(item.ConversationId, item.Id, item.Seq, author, kind, $"{context.ActorName} in {context.Title}", preview, mentioned),
            context.Members.Select(m => m.UserId).ToList(),
            cancellationToken);
    }

    /// <summary>A live call started; the calls feature calls this in its transaction (or the trigger directly).</summary>
    public async Task CallStartedAsync(TalkoDbContext db, Guid conversationId, Guid callId, Guid startedBy, Guid? itemId, CancellationToken cancellationToken)
    {
        var context = await LoadAsync(db, conversationId, startedBy, cancellationToken);
        if (context is not null)
        {
            await trigger.OnCallStartedAsync(
                db, new StartedCall(conversationId, callId, startedBy, $"{context.ActorName} is calling in {context.Title}", itemId), context.Members.Select(m => m.UserId).ToList(), cancellationToken);
        }
    }

    /// <summary><paramref name="userId"/> was added to a conversation by <paramref name="actorId"/>.</summary>
    public async Task AddedToConversationAsync(TalkoDbContext db, Guid conversationId, Guid userId, Guid actorId, CancellationToken cancellationToken)
    {
        if (userId != actorId && await db.Set<Conversation>().AsNoTracking().SingleOrDefaultAsync(c => c.Id == conversationId, cancellationToken) is { } conversation)
        {
            await AddedToConversationAsync(db, conversation, userId, actorId, cancellationToken);
        }
    }

    /// <summary>As above, for a conversation that may not be saved yet (created with its members).</summary>
    public async Task AddedToConversationAsync(TalkoDbContext db, Conversation conversation, Guid userId, Guid actorId, CancellationToken cancellationToken)
    {
        if (userId != actorId)
        {
            var actor = await NameAsync(db, actorId, cancellationToken);
            await trigger.OnAddedAsync(db, new Addition(userId, actorId, conversation.GroupId, conversation.Id, conversation.Title, $"{actor} added you to the conversation"), cancellationToken);
        }
    }

    /// <summary><paramref name="userId"/> was added to a group by <paramref name="actorId"/>.</summary>
    public async Task AddedToGroupAsync(TalkoDbContext db, Guid groupId, Guid userId, Guid actorId, CancellationToken cancellationToken)
    {
        if (userId == actorId)
        {
            return;
        }

        var name = await db.Set<Group>().AsNoTracking().Where(g => g.Id == groupId).Select(g => g.Name).SingleOrDefaultAsync(cancellationToken);
        if (name is not null)
        {
            var actor = await NameAsync(db, actorId, cancellationToken);
            await trigger.OnAddedAsync(db, new Addition(userId, actorId, groupId, null, name, $"{actor} added you to the group"), cancellationToken);
        }
    }

    public async Task BookmarkAddedAsync(TalkoDbContext db, Bookmark bookmark, CancellationToken cancellationToken)
    {
        var context = await LoadAsync(db, bookmark.ConversationId, bookmark.AuthorId, cancellationToken);
        if (context is not null)
        {
            var body = string.IsNullOrWhiteSpace(bookmark.Note) ? (bookmark.CallId is null ? "Bookmarked a message" : "Bookmarked a moment of the call") : bookmark.Note;
            await trigger.OnBookmarkAddedAsync(
                db,
                new AddedBookmark(bookmark.ConversationId, bookmark.Id, bookmark.ItemId, bookmark.CallId, bookmark.AuthorId, $"{context.ActorName} bookmarked in {context.Title}", body),
                context.Members.Select(m => m.UserId).ToList(),
                cancellationToken);
        }
    }

    private static async Task<Context?> LoadAsync(TalkoDbContext db, Guid conversationId, Guid actorId, CancellationToken cancellationToken)
    {
        var title = await db.Set<Conversation>().AsNoTracking().Where(c => c.Id == conversationId).Select(c => c.Title).SingleOrDefaultAsync(cancellationToken);
        if (title is null)
        {
            return null;
        }

        var members = await (
            from m in db.Set<ConversationMember>().AsNoTracking()
            join u in db.Set<User>().AsNoTracking() on m.UserId equals u.Id
            where m.ConversationId == conversationId && m.RemovedAt == null
            select new Member(m.UserId, u.DisplayName)).ToListAsync(cancellationToken);
        var actor = members.Find(m => m.UserId == actorId)?.DisplayName ?? await NameAsync(db, actorId, cancellationToken);
        return new Context(title, Name(actor), members);
    }

    private static async Task<string> NameAsync(TalkoDbContext db, Guid userId, CancellationToken cancellationToken) =>
        Name(await db.Set<User>().AsNoTracking().Where(u => u.Id == userId).Select(u => u.DisplayName).SingleOrDefaultAsync(cancellationToken));

    private static string Name(string? displayName) => string.IsNullOrWhiteSpace(displayName) ? "Someone" : displayName;

    private sealed record Member(Guid UserId, string? DisplayName);

    private sealed record Context(string Title, string ActorName, List<Member> Members);
}
