using Microsoft.EntityFrameworkCore;
using Talko.Server.Data;
using Talko.Server.Features.Awareness;
using Talko.Server.Features.Calls.Entities;
using Talko.Server.Features.Conversations;

namespace Talko.Server.Features.Calls;

/// <summary>A conversation's calls as other features see them (start and end; who is in), from the database.</summary>
internal sealed class CallRecords(TalkoDbContext db) : ICallRecords, ICallAttendance
{
    public async Task<CallSpan?> FindAsync(Guid conversationId, Guid callId, CancellationToken cancellationToken) =>
        await db.Set<Call>().AsNoTracking()
            .Where(c => c.Id == callId && c.ConversationId == conversationId)
            .Select(c => new CallSpan(c.StartedAt, c.EndedAt))
            .FirstOrDefaultAsync(cancellationToken);

    public async Task<CallAttendance> CheckAsync(Guid conversationId, Guid callId, Guid userId, CancellationToken cancellationToken)
    {
        var call = await db.Set<Call>().AsNoTracking()
            .Where(c => c.Id == callId && c.ConversationId == conversationId)
            .Select(c => new { c.EndedAt })
            .FirstOrDefaultAsync(cancellationToken);
        if (call is null)
        {
            return CallAttendance.NoSuchCall;
        }

        var inCall = call.EndedAt is null && await db.Set<CallParticipant>().AsNoTracking()
            .AnyAsync(p => p.CallId == callId && p.UserId == userId && p.LeftAt == null, cancellationToken);
        return inCall ? CallAttendance.InCall : CallAttendance.NotInCall;
    }
}
