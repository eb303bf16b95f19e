using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Talko.Core.Conversations;
using Talko.Core.Ephemeral;
using Talko.Core.Calls;
using Talko.Server.Data;
using Talko.Server.Features.Calls.Entities;
using Talko.Server.Features.Conversations;
using Talko.Server.Features.Conversations.Entities;
using Talko.Server.Features.Notifications.Routing;

namespace Talko.Server.Features.Calls;

/// <summary>Starting, viewing and ending calls: the durable side (commit first, then publish; ADR 0300's rule).</summary>
public sealed class CallService(
    TalkoDbContext db,
    Timeline timeline,
    IConversationEventPublisher events,
    INotificationTrigger notifications,
    CallCommandBus commands,
    IEphemeralStore store,
    KeySpace keys,
    CallHost host,
    CallPlacement placement,
    Talko.Core.Calls.CallOwnership ownership,
    TimeProvider time,
    IOptions<CallsOptions> options,
    ILogger<CallService> logger)
{
    public const string EndedByUser = "ended";
    public const string EndedEmpty = "empty";

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
        await events.PublishAsync(new ItemCreated(Views.Item(item, new Dictionary<string, MediaBlob>())), cancellationToken);
        var location = await placement.LocateAsync(callId, cancellationToken);
        var view = await ViewAsync(callId, cancellationToken);
        await events.PublishAsync(new CallChanged(CallChanged.StartedName, view!), cancellationToken);
        // Bindings live in the ephemeral store, so the owner rings every device wherever it registered (ADR 0611).
        List<Guid> ringing = options.Value.RingDevices ? [.. members.Where(m => m != userId)] : [];
        if (location.Found && location.OwnerInstanceId == host.InstanceId)
        {
            host.Ring(callId, ringing);
        }
        else if (location.Found)
        {
            // Placed elsewhere (this instance drains): the owner adopts the call now, and rings.
            await commands.PublishAsync(new RingMembers(new CallId(callId), ringing));
        }

        return new StartResult(view, null);
    }

    public async Task<CallView?> ViewAsync(Guid callId, CancellationToken cancellationToken)
    {
        var call = await db.Set<Call>().AsNoTracking().SingleOrDefaultAsync(c => c.Id == callId, cancellationToken);
        if (call is null)
        {
            return null;
        }

        var participants = await db.Set<CallParticipant>().AsNoTracking().Where(p => p.CallId == callId && p.LeftAt == null)
            .OrderBy(p => p.JoinedAt).ToListAsync(cancellationToken);
        var left = await db.Set<CallParticipant>().AsNoTracking().Where(p => p.CallId == callId && p.LeftAt != null)
            .OrderByDescending(p => p.LeftAt).Take(options.Value.MaxLeftInView).ToListAsync(cancellationToken);
        var talking = call.EndedAt is null
            ? (await store.SetMembersAsync(keys.CallTalking(callId.ToString()))).Select(Guid.Parse).ToHashSet()
            : [];
        var owner = call.EndedAt is null ? await ownership.FindOwnerAsync(callId.ToString()) : null;
        var quality = call.EndedAt is null ? CallHost.ReadQuality(await store.GetAsync(keys.CallQuality(callId.ToString()))) : new Dictionary<string, CallQualityView>();
        return new CallView(
            call.Id, call.ConversationId, call.EndedAt is null ? "live" : "ended", call.StartedBy, Utc(call.StartedAt), call.EndedAt is { } ended ? Utc(ended) : null,
            call.EndReason,
            [.. participants.Select(p => new CallParticipantView(p.UserId, p.DeviceId, Utc(p.JoinedAt), p.JoinOffsetMs, talking.Contains(p.UserId),
                Quality: quality.GetValueOrDefault(CallHost.QualityKey(p.UserId, p.DeviceId))))],
            [.. talking],
            owner,
            await RecordedMsAsync(callId, cancellationToken),
            [.. left.Select(p => new CallParticipantView(p.UserId, p.DeviceId, Utc(p.JoinedAt), p.JoinOffsetMs, false, Utc(p.LeftAt!.Value)))]);
    }

    /// <summary>Ends a live call once (a concurrent second end finds it ended); every instance hangs up its legs.</summary>
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
                return await ViewAsync(callId, cancellationToken);
            }

            CallsLog.Ended(logger, callId, reason);
            var recorded = await RecordedMsAsync(callId, cancellationToken);
            await timeline.AppendAsync(call.ConversationId, new NewItem(ItemKind.System, null, null, SystemEvent: Timeline.CallEnded, CallId: callId,
                CallOffsetMs: recorded, SubjectUserId: byUser), cancellationToken);
            await commands.PublishAsync(new EndCall(new CallId(callId)));
            if (await ViewAsync(callId, cancellationToken) is { } view)
            {
                await events.PublishAsync(new CallChanged(CallChanged.EndedName, view), cancellationToken);
            }
        }

        return await ViewAsync(callId, cancellationToken);
    }

    /// <summary>Hangs up the caller's legs (of one device, or all of theirs) wherever they are.</summary>
    public Task LeaveAsync(Guid callId, Guid userId, Guid? deviceId) => commands.PublishAsync(new LeaveCall(new CallId(callId), userId, deviceId));

    /// <summary>Closed segments' length plus the live segment's so far.</summary>
    public async Task<long> RecordedMsAsync(Guid callId, CancellationToken cancellationToken)
    {
        if (host.CurrentOffsetMs(callId) is { } here)
        {
            return here;
        }

        var segments = await db.Set<RecordingSegment>().AsNoTracking().Where(s => s.CallId == callId).ToListAsync(cancellationToken);
        var closed = segments.Where(s => s.State != SegmentState.Recording).Sum(s => s.DurationMs ?? 0);
        var live = segments.Where(s => s.State == SegmentState.Recording).OrderByDescending(s => s.Index).FirstOrDefault();
        return live is null ? closed : live.BaseOffsetMs + Math.Max(0, (long)(time.GetUtcNow().UtcDateTime - live.StartedAt).TotalMilliseconds);
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
