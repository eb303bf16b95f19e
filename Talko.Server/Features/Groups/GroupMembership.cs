using Microsoft.EntityFrameworkCore;
using Talko.Core.Conversations;
using Talko.Server.Data;
using Talko.Server.Features.Accounts.Entities;
using Talko.Server.Features.Conversations;
using Talko.Server.Features.Conversations.Entities;
using Talko.Server.Features.Groups.Entities;
using Talko.Server.Features.Notifications.Routing;

namespace Talko.Server.Features.Groups;

/// <summary>Joining and leaving a group, which carries its conversations along.</summary>
public sealed class GroupMembership(
    TalkoDbContext db, ConversationMembership conversations, ConversationNotifications notifications, TimeProvider time, ILogger<GroupMembership> logger)
{
    /// <summary>
    /// Adds the member (one "added to the group" notification commits with the row), then joins them to
    /// every conversation open to the whole group without a notification each.
    /// </summary>
    public async Task JoinAsync(Guid groupId, Guid userId, GroupRole role, Guid actorId, CancellationToken cancellationToken)
    {
        db.Add(new GroupMember { GroupId = groupId, UserId = userId, Role = role, JoinedAt = time.GetUtcNow().UtcDateTime });
        await notifications.AddedToGroupAsync(db, groupId, userId, actorId, cancellationToken);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Joined concurrently (two admins, or an invite claimed twice): already a member is the goal.
            db.ChangeTracker.Clear();
            return;
        }

        var open = await db.Set<Conversation>().AsNoTracking()
            .Where(c => c.GroupId == groupId && c.IncludesWholeGroup)
            .Select(c => c.Id)
            .ToListAsync(cancellationToken);
        foreach (var conversationId in open)
        {
            await conversations.AddAsync(conversationId, userId, actorId, cancellationToken, notify: false);
        }
    }

    /// <summary>Removes the member from every conversation of the group, then from the group.</summary>
    public async Task LeaveAsync(Guid groupId, Guid userId, CancellationToken cancellationToken)
    {
        var memberships = await (
            from m in db.Set<ConversationMember>().AsNoTracking()
            join c in db.Set<Conversation>().AsNoTracking() on m.ConversationId equals c.Id
            where c.GroupId == groupId && m.UserId == userId && m.RemovedAt == null
            select m.ConversationId).ToListAsync(cancellationToken);
        foreach (var conversationId in memberships)
        {
            await conversations.RemoveAsync(conversationId, userId, cancellationToken);
        }

        await db.Set<GroupMember>().Where(m => m.GroupId == groupId && m.UserId == userId).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>
    /// Turns invites addressed to any of the user's verified identifiers into memberships. Called when
    /// the user lists groups, syncs or connects, so an invite sent before they registered takes effect
    /// the first time they use the app, without accounts having to know about groups.
    /// </summary>
    public async Task ClaimInvitesAsync(Guid userId, CancellationToken cancellationToken)
    {
        var invites = await (
            from i in db.Set<GroupInvite>().AsNoTracking()
            join u in db.Set<UserIdentifier>().AsNoTracking() on i.LookupKey equals u.LookupKey
            where u.UserId == userId
            select i).ToListAsync(cancellationToken);
        foreach (var invite in invites)
        {
            if (!await db.Set<GroupMember>().AnyAsync(m => m.GroupId == invite.GroupId && m.UserId == userId, cancellationToken))
            {
                await JoinAsync(invite.GroupId, userId, invite.Role, invite.InvitedBy, cancellationToken);
                ConversationsLog.InviteClaimed(logger, userId, invite.GroupId);
            }

            await db.Set<GroupInvite>().Where(i => i.Id == invite.Id).ExecuteDeleteAsync(cancellationToken);
        }
    }
}
