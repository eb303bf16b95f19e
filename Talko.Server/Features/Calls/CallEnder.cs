using Microsoft.EntityFrameworkCore;
using Talko.Core.Calls;
using Talko.Core.Conversations;
using Talko.Server.Data;
using Talko.Server.Features.Calls.Entities;
using Talko.Server.Features.Conversations;

namespace Talko.Server.Features.Calls;

/// <summary>
/// Ends a call, durably first: the row once (optimistic concurrency; a concurrent second end finds it ended), a
/// <c>call-ended</c> item, then an <see cref="EndCall"/> command (every instance hangs up its legs) and <c>callEnded</c>.
/// Used by the API (a user ends it) and by the owner (nobody left in it).
/// </summary>
public sealed class CallEnder(
    TalkoDbContext db,
    Timeline timeline,
    IConversationEventPublisher events,
    CallCommandBus commands,
    CallReader reader,
    TimeProvider time,
    ILogger<CallEnder> logger)
{
    public const string EndedByUser = "ended";
    public const string EndedEmpty = "empty";

    public async Task<CallView?> EndAsync(Guid callId, string reason, CancellationToken cancellationToken, Guid? byUser = null)
    {
        var call = await db.Set<Call>().SingleOrDefaultAsync(c => c.Id == callId, cancellationToken);
        if (call is null)
        {
            return null;
        }

        if (call.EndedAt is null)
        {
            call.EndedAt = time.GetUtcNow().UtcDateTime;
            call.EndReason = reason;
            call.Version++;
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateConcurrencyException)
            {
                db.ChangeTracker.Clear();
                return await reader.ViewAsync(callId, cancellationToken);
            }

            CallsLog.Ended(logger, callId, reason);
            var recorded = await reader.RecordedMsAsync(callId, cancellationToken);
            await timeline.AppendAsync(call.ConversationId, new NewItem(ItemKind.System, null, null, SystemEvent: Timeline.CallEnded, CallId: callId,
                CallOffsetMs: recorded, SubjectUserId: byUser), cancellationToken);
            await commands.PublishAsync(new EndCall(new CallId(callId)));
            if (await reader.ViewAsync(callId, cancellationToken) is { } view)
            {
                await events.PublishAsync(new CallChanged(CallChanged.EndedName, view), cancellationToken);
            }
        }

        return await reader.ViewAsync(callId, cancellationToken);
    }
}
