using Microsoft.EntityFrameworkCore;
using Talko.Core.Awareness;
using Talko.Server.Data;
using Talko.Server.Features.Conversations.Entities;

namespace Talko.Server.Features.Awareness;

/// <summary>The awareness audience from conversation membership in the database (current members only).</summary>
internal sealed class ConversationAwarenessAudience(IServiceScopeFactory scopes) : IAwarenessAudience
{
    public async Task<IReadOnlyCollection<string>> WatchersOfAsync(string userId, CancellationToken cancellationToken = default)
    {
        if (!Guid.TryParse(userId, out var id))
        {
            return [];
        }

        await using var scope = scopes.CreateAsyncScope();
        var members = scope.ServiceProvider.GetRequiredService<TalkoDbContext>().Set<ConversationMember>();
        var shared = members.Where(m => m.UserId == id && m.RemovedAt == null).Select(m => m.ConversationId);
        var watchers = await members
            .Where(m => m.RemovedAt == null && shared.Contains(m.ConversationId))
            .Select(m => m.UserId)
            .Distinct()
            .ToListAsync(cancellationToken);
        return watchers.Select(w => w.ToString()).Append(userId).ToHashSet(StringComparer.Ordinal);
    }

    public async Task<IReadOnlyCollection<string>?> MembersOfAsync(string conversationId, CancellationToken cancellationToken = default)
    {
        if (!Guid.TryParse(conversationId, out var id))
        {
            return null;
        }

        await using var scope = scopes.CreateAsyncScope();
        var members = await scope.ServiceProvider.GetRequiredService<TalkoDbContext>().Set<ConversationMember>()
            .Where(m => m.ConversationId == id && m.RemovedAt == null)
            .Select(m => m.UserId)
            .ToListAsync(cancellationToken);
        return members.Count == 0 ? null : members.Select(m => m.ToString()).ToHashSet(StringComparer.Ordinal);
    }
}
