using Microsoft.EntityFrameworkCore;
using Talko.Core.Conversations;
using Talko.Server.Data;
using Talko.Server.Features.Conversations.Entities;
using Talko.Server.Features.Notifications.Routing;

namespace Talko.Server.Features.Conversations;

/// <summary>Joining and leaving conversations: the member row, a system item saying so, and the events.</summary>
public sealed class ConversationMembership(TalkoDbContext db, Timeline timeline, IConversationEventPublisher events, ConversationNotifications notifications, TimeProvider time)
{
    /// <summary>
    /// Adds (or re-adds) <paramref name="userId"/>; false if already a member or the conversation is gone.
    /// <paramref name="notify"/> false when a larger change (joining a group) notifies once for all.
    /// </summary>
    public async Task<bool> AddAsync(Guid conversationId, Guid userId, Guid actorId, CancellationToken cancellationToken, bool notify = true)
    {
        var existing = await db.Set<ConversationMember>().AsNoTracking()
            .SingleOrDefaultAsync(m => m.ConversationId == conversationId && m.UserId == userId, cancellationToken);
        if (existing is { RemovedAt: null })
        {
            return false;
        }

        var result = await ConversationTransaction.ExecuteAsync(db, conversationId, appendsItem: true, async stamp =>
        {
            var member = await db.Set<ConversationMember>().SingleOrDefaultAsync(m => m.ConversationId == conversationId && m.UserId == userId, cancellationToken);
            if (member is null)
            {
                member = new ConversationMember { ConversationId = conversationId, UserId = userId };
                db.Add(member);
            }

            member.JoinedAt = time.GetUtcNow().UtcDateTime;
            member.RemovedAt = null;
            member.Version = stamp.Version;
            // A newcomer starts with everything before their arrival read.
            member.LastReadSeq = stamp.Seq - 1;
            var item = timeline.Stage(conversationId, new NewItem(ItemKind.System, null, null, SystemEvent: Timeline.MemberAdded, SubjectUserId: userId), stamp);
            if (notify)
            {
                await notifications.AddedToConversationAsync(db, conversationId, userId, actorId, cancellationToken);
            }

            return new Change(member, item);
        }, cancellationToken);
        return await PublishAsync(result, cancellationToken);
    }

    /// <summary>Removes <paramref name="userId"/>; false if not a member.</summary>
    public async Task<bool> RemoveAsync(Guid conversationId, Guid userId, CancellationToken cancellationToken)
    {
        var result = await ConversationTransaction.ExecuteAsync(db, conversationId, appendsItem: true, async stamp =>
        {
            var member = await db.Set<ConversationMember>().SingleOrDefaultAsync(m => m.ConversationId == conversationId && m.UserId == userId && m.RemovedAt == null, cancellationToken);
            if (member is null)
            {
                return null;
            }

            member.RemovedAt = time.GetUtcNow().UtcDateTime;
            member.Version = stamp.Version;
            var item = timeline.Stage(conversationId, new NewItem(ItemKind.System, null, null, SystemEvent: Timeline.MemberRemoved, SubjectUserId: userId), stamp);
            return new Change(member, item);
        }, cancellationToken);
        return await PublishAsync(result, cancellationToken);
    }

    private sealed record Change(ConversationMember Member, Item Item);

    /// <summary>After the commit: the membership change and its system item, to every instance. False if nothing changed.</summary>
    private async Task<bool> PublishAsync(Change? result, CancellationToken cancellationToken)
    {
        if (result is null)
        {
            return false;
        }

        await events.PublishAsync(new MembershipChanged(Views.Member(result.Member)), cancellationToken);
        await timeline.PublishStagedAsync(result.Item, cancellationToken);
        return true;
    }
}
