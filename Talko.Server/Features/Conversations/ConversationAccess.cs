using Microsoft.EntityFrameworkCore;
using Talko.Core.Conversations;
using Talko.Server.Data;
using Talko.Server.Features.Conversations.Entities;
using Talko.Server.Features.Groups.Entities;

namespace Talko.Server.Features.Conversations;

/// <summary>A caller's standing in a conversation: current member, with their role in its group.</summary>
public sealed record ConversationAccess(Conversation Conversation, ConversationMember Member, GroupRole Role)
{
    public bool IsCreator => Conversation.CreatedBy == Member.UserId;

    public bool CanManage => GroupPermissions.CanManageConversation(Role, IsCreator);

    /// <summary>The conversation and the caller's membership, or null when there is no such conversation or the caller is not (or no longer) a member.</summary>
    public static async Task<ConversationAccess?> FindAsync(TalkoDbContext db, Guid conversationId, Guid userId, CancellationToken cancellationToken)
    {
        var found = await (
            from c in db.Set<Conversation>().AsNoTracking()
            join m in db.Set<ConversationMember>().AsNoTracking() on c.Id equals m.ConversationId
            join g in db.Set<GroupMember>().AsNoTracking() on new { c.GroupId, m.UserId } equals new { g.GroupId, g.UserId }
            where c.Id == conversationId && m.UserId == userId && m.RemovedAt == null
            select new { c, m, g.Role }).SingleOrDefaultAsync(cancellationToken);
        return found is null ? null : new ConversationAccess(found.c, found.m, found.Role);
    }
}
