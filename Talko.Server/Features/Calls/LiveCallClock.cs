using Microsoft.EntityFrameworkCore;
using Talko.Server.Data;
using Talko.Server.Features.Calls.Entities;
using Talko.Server.Features.Conversations;

namespace Talko.Server.Features.Calls;

/// <summary>The live call of a conversation and its recording offset now, for items posted during it (any instance may ask).</summary>
internal sealed class LiveCallClock(TalkoDbContext db, CallReader reader) : ILiveCallClock
{
    public async Task<(Guid CallId, long OffsetMs)?> FindLiveAsync(Guid conversationId, CancellationToken cancellationToken)
    {
        var callId = await db.Set<Call>().AsNoTracking().Where(c => c.ConversationId == conversationId && c.EndedAt == null)
            .OrderByDescending(c => c.StartedAt).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(cancellationToken);
        return callId is { } id ? (id, await reader.RecordedMsAsync(id, cancellationToken)) : null;
    }
}
