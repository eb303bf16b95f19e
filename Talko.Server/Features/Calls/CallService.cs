using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Talko.Core.Calls;
using Talko.Core.Conversations;
using Talko.Server.Data;
using Talko.Server.Features.Calls.Entities;
using Talko.Server.Features.Conversations;
using Talko.Server.Features.Conversations.Entities;
using Talko.Server.Features.Notifications.Routing;

namespace Talko.Server.Features.Calls;

/// <summary>
/// The durable side of calls for the API: starting (commit first, then publish; ADR 0300's rule), viewing, ending and
/// leaving. It reaches live calls only through placement (who owns a call) and call commands, never the owner's state.
/// </summary>
public sealed class CallService(
    TalkoDbContext db,
    Timeline timeline,
    IConversationEventPublisher events,
    INotificationTrigger notifications,
    CallCommandBus commands,
    CallPlacement placement,
    CallReader reader,
    CallEnder ender,
    TimeProvider time,
    IOptions<CallsOptions> options,
    ILogger<CallService> logger)
{
    public const string EndedByUser = CallEnder.EndedByUser;
    public const string EndedEmpty = CallEnder.EndedEmpty;

    /// <summary>One of: the call started; another is live (<paramref name="ExistingCallId"/>); no instance can take a new call (<paramref name="RetryAfter"/>).</summary>
    public sealed record StartResult(CallView? Call, Guid? ExistingCallId, TimeSpan? RetryAfter = null);

    /// <summary>
    /// Starts a call: the call row, a "call started" item and the notifications commit together; then the events, the
    /// claim (this instance, or a serving one when this one drains) and ringing (by the owner, which may be another instance).
    /// </summary>
    public async Task<StartResult?> StartAsync(Guid conversationId, Guid userId, CancellationToken cancellationToken)
    {
        if (await ConversationAccess.FindAsync(db, conversationId, userId, cancellationToken) is not { } access)
        {
            return null;
        }

        // A draining instance takes no new calls; it places them on a serving instance, so without one nothing is committed.
        if (await placement.NewCallRetryAfterAsync() is { } retryAfter)
        {
            return new StartResult(null, null, retryAfter);
        }

        var live = await db.Set<Call>().AsNoTracking().Where(c => c.ConversationId == conversationId && c.EndedAt == null)
            .Select(c => c.Id).ToListAsync(cancellationToken);
        if (live.Count >= options.Value.MaxLiveCallsPerConversation)
        {
            return new StartResult(null, live[0]);
        }

        var callId = Guid.CreateVersion7();
        var members = await db.Set<ConversationMember>().AsNoTracking().Where(m => m.ConversationId == conversationId && m.RemovedAt == null)
            .Select(m => m.UserId).ToListAsync(cancellationToken);
        var item = await ConversationTransaction.ExecuteAsync(db, conversationId, appendsItem: true, async stamp =>
        {
            db.Add(new Call { Id = callId, ConversationId = conversationId, StartedBy = userId, StartedAt = time.GetUtcNow().UtcDateTime });
            var staged = timeline.Stage(conversationId, new NewItem(ItemKind.System, null, null, SystemEvent: Timeline.CallStarted, CallId: callId, CallOffsetMs: 0, SubjectUserId: userId), stamp);
            // A ring (VoIP push on iOS, high-priority data on Android), committed with the call or not at all.
            await notifications.OnCallStartedAsync(db, new StartedCall(conversationId, callId, userId, access.Conversation.Title, staged.Id), members, cancellationToken);
            return staged;
        }, cancellationToken);
        if (item is null)
        {
            return null;
        }

        CallsLog.Started(logger, callId, conversationId, userId);
        await timeline.PublishStagedAsync(item, cancellationToken);
        var location = await placement.LocateAsync(callId, cancellationToken);
        var view = await ViewAsync(callId, cancellationToken);
        await events.PublishAsync(new CallChanged(CallChanged.StartedName, view!), cancellationToken);
        // Bindings live in the ephemeral store, so the owner rings every device wherever it registered (ADR 0611).
        // The owner (this instance, or the serving one a draining instance placed it on) adopts the call and rings;
        // sent even with nobody to ring, so that an owner elsewhere adopts the call at once.
        List<Guid> ringing = options.Value.RingDevices ? [.. members.Where(m => m != userId)] : [];
        if (location.Found)
        {
            await commands.PublishAsync(new RingMembers(new CallId(callId), ringing));
        }

        return new StartResult(view, null);
    }

    public Task<CallView?> ViewAsync(Guid callId, CancellationToken cancellationToken) => reader.ViewAsync(callId, cancellationToken);

    /// <summary>Ends a live call once (a concurrent second end finds it ended); every instance hangs up its legs.</summary>
    public Task<CallView?> EndAsync(Guid callId, string reason, CancellationToken cancellationToken, Guid? byUser = null) =>
        ender.EndAsync(callId, reason, cancellationToken, byUser);

    /// <summary>Hangs up the caller's legs (of one device, or all of theirs) wherever they are.</summary>
    public Task LeaveAsync(Guid callId, Guid userId, Guid? deviceId) => commands.PublishAsync(new LeaveCall(new CallId(callId), userId, deviceId));

    /// <summary>Closed segments' length plus the live segment's so far.</summary>
    public Task<long> RecordedMsAsync(Guid callId, CancellationToken cancellationToken) => reader.RecordedMsAsync(callId, cancellationToken);
}
