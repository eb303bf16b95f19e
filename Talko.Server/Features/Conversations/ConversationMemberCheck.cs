using Talko.Server.Data;
using Talko.Server.Features.Notifications.InApp;

namespace Talko.Server.Features.Conversations;

/// <summary>The notifications feature's membership question, answered with the same rule every conversation endpoint uses.</summary>
internal sealed class ConversationMemberCheck(TalkoDbContext db) : IConversationMemberCheck
{
    public async Task<bool> IsMemberAsync(Guid conversationId, Guid userId, CancellationToken cancellationToken) =>
        await ConversationAccess.FindAsync(db, conversationId, userId, cancellationToken) is not null;
}
