using Microsoft.EntityFrameworkCore;
using Talko.Server.Data;
using Talko.Server.Features.Conversations.Entities;

namespace Talko.Server.Features.Notifications.Routing;

/// <summary>
/// The badge: each user's unread items across all their conversations, by conversations' own rule
/// (other people's items after the read position that are still there; see Conversations.Views). Read
/// inside the caller's transaction, so items it has staged but not yet saved are added from the change
/// tracker: the item being notified about counts.
/// </summary>
public sealed class UnreadCounter
{
    public async Task<IReadOnlyDictionary<Guid, int>> CountAsync(TalkoDbContext db, IReadOnlyCollection<Guid> userIds, CancellationToken cancellationToken)
    {
        var counts = await (
                from m in db.Set<ConversationMember>().AsNoTracking()
                join i in db.Set<Item>().AsNoTracking() on m.ConversationId equals i.ConversationId
                where userIds.Contains(m.UserId) && m.RemovedAt == null && i.Seq > m.LastReadSeq && i.DeletedAt == null && (i.AuthorId == null || i.AuthorId != m.UserId)
                group i by m.UserId into g
                select new { UserId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.UserId, x => x.Count, cancellationToken);

        var staged = db.ChangeTracker.Entries<Item>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).ToList();
        if (staged.Count > 0)
        {
            var conversationIds = staged.Select(i => i.ConversationId).Distinct().ToList();
            // Members as saved, plus anyone this transaction is adding (a newcomer's own member-added item).
            var members = await db.Set<ConversationMember>().AsNoTracking()
                .Where(m => conversationIds.Contains(m.ConversationId) && userIds.Contains(m.UserId) && m.RemovedAt == null)
                .Select(m => new { m.ConversationId, m.UserId })
                .ToListAsync(cancellationToken);
            var joining = db.ChangeTracker.Entries<ConversationMember>()
                .Where(e => e.State is EntityState.Added or EntityState.Modified && e.Entity.RemovedAt == null)
                .Select(e => new { e.Entity.ConversationId, e.Entity.UserId });
            var membership = members.Concat(joining).ToHashSet();
            foreach (var userId in userIds)
            {
                var extra = staged.Count(i => membership.Contains(new { i.ConversationId, UserId = userId }) && i.AuthorId != userId);
                if (extra > 0)
                {
                    counts[userId] = counts.GetValueOrDefault(userId) + extra;
                }
            }
        }

        return counts;
    }
}
