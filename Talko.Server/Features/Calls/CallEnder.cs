using Microsoft.EntityFrameworkCore;
using Talko.Core.Calls;
using Talko.Core.Conversations;
using Talko.Server.Data;
using Talko.Server.Features.Calls.Entities;
using Talko.Server.Features.Conversations;
using Talko.Server.Features.Conversations.Entities;

namespace Talko.Server.Features.Calls;

/// <summary>
/// Ends a call, durably first: the row and its <c>call-ended</c> item in one transaction (a concurrent second end
/// finds the call ended), then an <see cref="EndCall"/> command (every instance hangs up its legs) and <c>callEnded</c>.
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
        var call = await db.Set<Call>().AsNoTracking().SingleOrDefaultAsync(c => c.Id == callId, cancellationToken);
        if (call is null)
        {
            return null;
        }

        if (call.EndedAt is null && await EndOnceAsync(call, reason, byUser, cancellationToken) is { } endedItem)
        {
            CallsLog.Ended(logger, callId, reason);
            await timeline.PublishStagedAsync(endedItem, cancellationToken);
            await commands.PublishAsync(new EndCall(new CallId(callId)));
            var ended = await reader.ViewAsync(callId, cancellationToken);
            if (ended is not null)
            {
                await events.PublishAsync(new CallChanged(CallChanged.EndedName, ended), cancellationToken);
            }

            return ended;
        }

        return await reader.ViewAsync(callId, cancellationToken);
    }

    /// <summary>
    /// Marks the call ended and stages its <c>call-ended</c> item in one conversation transaction, so nobody reads an
    /// ended call whose item is missing and a crash cannot lose the item. Null when another end committed first.
    /// </summary>
    private async Task<Item?> EndOnceAsync(Call call, string reason, Guid? byUser, CancellationToken cancellationToken)
    {
        var recorded = await reader.RecordedMsAsync(call.Id, cancellationToken);
        return await ConversationTransaction.ExecuteAsync(db, call.ConversationId, appendsItem: true, async stamp =>
        {
            // Read under the conversation's lock: a concurrent end of this call committed before it, or waits for us.
            var row = await db.Set<Call>().SingleAsync(c => c.Id == call.Id, cancellationToken);
            if (row.EndedAt is not null)
            {
                return null;
            }

            row.EndedAt = time.GetUtcNow().UtcDateTime;
            row.EndReason = reason;
            row.Version++;
            return timeline.Stage(call.ConversationId, new NewItem(ItemKind.System, null, null, SystemEvent: Timeline.CallEnded, CallId: call.Id,
                CallOffsetMs: recorded, SubjectUserId: byUser), stamp);
        }, cancellationToken);
    }
}
