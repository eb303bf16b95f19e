using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Talko.Core.Calls;
using Talko.Core.Conversations;
using Talko.Core.Ephemeral;
using Talko.Core.Instances;
using Talko.Server.Data;
using Talko.Server.Features.Calls.Entities;
using Talko.Server.Hosting;
using Talko.Server.Sip;
using Microsoft.Extensions.Options;

namespace Talko.Server.Features.Calls;

/// <summary>
/// The owner's side of live calls on this instance: adopts calls (closing a dead owner's segment first, ADR 0601),
/// holds and renews their claims, reads the engines' <see cref="CallEvent"/>s (joins with their user, leaves, talkers,
/// segments) and turns them into participants, recording segments and awareness, ends calls left empty, and sends the
/// engines commands through <see cref="IConferenceControl"/> (ring, hang up, transfer). A call's events are handled in
/// order on one of a few lanes (a segment is indexed before its legs), and each leg has at most one talker update
/// waiting, which applies its latest state.
/// </summary>
public sealed partial class CallHost : IAsyncDisposable
{
    private readonly ConcurrentDictionary<LegId, LiveLeg> legs = new();
    // Adoption is serialised per call (striped), not per instance: a drain moves many calls at once, and each
    // adoption (closing the previous owner's segment) must not wait behind the others'.
    private readonly SemaphoreSlim[] adoption = [.. Enumerable.Range(0, 32).Select(_ => new SemaphoreSlim(1, 1))];
    private readonly Channel<(CallId CallId, Func<Task> Work)>[] lanes;
    private readonly Task[] workers;
    private readonly Task pump;
    // The engine's latest talking state per leg; queued flips apply whatever it is when they run.
    private readonly ConcurrentDictionary<LegId, bool> talkingNow = new();
    private readonly ConcurrentDictionary<LegId, byte> talkingQueued = new();
    private readonly OwnedCalls owned;
    private readonly CallEventSink events;
    private readonly IConferenceControl conferences;
    private readonly RunningSipEngine sip;
    private readonly IServiceScopeFactory scopes;
    private readonly CallOwnership ownership;
    private readonly CallCommandBus commands;
    private readonly InstanceLifecycle lifecycle;
    private readonly InstanceLoadCounters load;
    private readonly IConversationEventPublisher publisher;
    private readonly CallAwarenessProjection awareness;
    private readonly SegmentClosings closings;
    private readonly IEphemeralStore store;
    private readonly KeySpace keys;
    private readonly IOptions<CallsOptions> options;
    private readonly TimeProvider time;
    private readonly ILogger<CallHost> logger;

    public CallHost(
        OwnedCalls owned,
        CallEventSink events,
        IConferenceControl conferences,
        RunningSipEngine sip,
        IServiceScopeFactory scopes,
        CallOwnership ownership,
        CallCommandBus commands,
        InstanceLifecycle lifecycle,
        InstanceLoadCounters load,
        IConversationEventPublisher publisher,
        CallAwarenessProjection awareness,
        SegmentClosings closings,
        IEphemeralStore store,
        KeySpace keys,
        IOptions<CallsOptions> options,
        TimeProvider time,
        ILogger<CallHost> logger)
    {
        this.owned = owned;
        this.events = events;
        this.conferences = conferences;
        this.sip = sip;
        this.scopes = scopes;
        this.ownership = ownership;
        this.commands = commands;
        this.lifecycle = lifecycle;
        this.load = load;
        this.publisher = publisher;
        this.awareness = awareness;
        this.closings = closings;
        this.store = store;
        this.keys = keys;
        this.options = options;
        this.time = time;
        this.logger = logger;
        lanes = [.. Enumerable.Range(0, options.Value.BookkeepingWorkers)
            .Select(_ => Channel.CreateUnbounded<(CallId, Func<Task>)>(new() { SingleReader = true }))];
        workers = [.. lanes.Select(lane => Task.Run(() => WorkAsync(lane)))];
        pump = Task.Run(PumpAsync);
    }

    public string InstanceId => lifecycle.InstanceId;

    /// <summary>Calls this instance owns right now.</summary>
    public IReadOnlyCollection<Guid> OwnedCalls => owned.Ids;

    /// <summary>Participants who have not rejoined a moved call by then are not counted as a gap but as gone.</summary>
    private static readonly TimeSpan MovedMarkerLifetime = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Makes sure this instance, which holds the claim, also keeps the call: adopts it (closing a dead owner's segment
    /// and telling clients to rejoin) the first time. False when the call is not live (the claim is released).
    /// </summary>
    public async Task<bool> EnsureOwnedAsync(Guid callId, CancellationToken cancellationToken)
    {
        if (owned.Contains(callId))
        {
            return true;
        }

        var gate = adoption[(callId.GetHashCode() & int.MaxValue) % adoption.Length];
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (owned.Contains(callId))
            {
                return true;
            }

            var id = new CallId(callId);
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TalkoDbContext>();
            var archive = scope.ServiceProvider.GetRequiredService<CallRecordingArchive>();
            var call = await db.Set<Call>().AsNoTracking().SingleOrDefaultAsync(c => c.Id == callId, cancellationToken);
            if (call is null || call.EndedAt is not null)
            {
                await ownership.ReleaseAsync(id.ToString(), InstanceId);
                return false;
            }

            await archive.AwaitHandoverAsync(id, cancellationToken);
            var previous = await archive.CloseOrphansAsync(id, cancellationToken);
            var closedMs = await archive.ClosedLengthAsync(id, cancellationToken);
            owned.Add(new OwnedCall(callId, call.ConversationId) { ClosedMs = closedMs, EmptySince = time.GetUtcNow() });
            load.CallStarted();
            CallsLog.Owned(logger, InstanceId, callId, previous);
            if (previous is not null && sip.SipAddress is { } address)
            {
                await publisher.PublishAsync(new CallMoved(call.ConversationId, new CallMovedView(callId, call.ConversationId, InstanceId, CallPlacement.ConferenceUri(callId, address))), cancellationToken);
            }

            return true;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// For blue/green past a drain deadline: hands a call to another serving instance. The claim is moved to
    /// <paramref name="targetInstanceId"/> (the registry's SIP address goes to clients in a <c>callMoved</c> event), then
    /// each SIP leg here is referred there (<see cref="HandOverLegsAsync"/>) so this segment closes as they leave;
    /// devices rejoin there and recording continues in a new segment.
    /// </summary>
    public async Task<bool> MoveAwayAsync(Guid callId, string targetInstanceId, string targetSipAddress, Talko.Core.Sip.Conferencing.ConferenceTransferTimings transfer, CancellationToken cancellationToken = default)
    {
        if (!owned.TryRemove(callId, out var call))
        {
            return false;
        }

        var id = new CallId(callId);
        await ownership.ReleaseAsync(id.ToString(), InstanceId);
        var newOwner = await ownership.ClaimOrFindOwnerAsync(id.ToString(), targetInstanceId);

        // The new owner reads this when each participant's leg joins there, to log the audio gap they suffered;
        // it is set before clients hear callMoved so that a quick rejoin still finds it.
        await store.SetAsync(keys.CallMovedAt(id.ToString()), time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), MovedMarkerLifetime);
        await publisher.PublishAsync(new CallMoved(call.ConversationId, new CallMovedView(callId, call.ConversationId, newOwner, CallPlacement.ConferenceUri(callId, targetSipAddress))), cancellationToken);
        await HandOverLegsAsync(id, newOwner, targetSipAddress, transfer, cancellationToken);
        load.CallEnded();
        return true;
    }

    /// <summary>
    /// A participant's leg joined a call that another instance handed over: log how long they were without audio, from
    /// the move to <paramref name="joinedAt"/> (when the leg joined here, not when the bookkeeping got to it).
    /// </summary>
    private async Task LogGapAfterMoveAsync(CallId callId, Guid userId, DateTimeOffset joinedAt)
    {
        if (await store.GetAsync(keys.CallMovedAt(callId.ToString())) is { } movedAt
            && long.TryParse(movedAt, CultureInfo.InvariantCulture, out var movedAtMs))
        {
            var gap = joinedAt - DateTimeOffset.FromUnixTimeMilliseconds(movedAtMs);
            CallsLog.RejoinedAfterMove(logger, callId.Value, userId, (long)gap.TotalMilliseconds);
        }
    }

    /// <summary>The call ended (anywhere): hang up its legs here and give up its claim.</summary>
    public async Task OnCallEndedAsync(Guid callId)
    {
        var id = new CallId(callId);
        if (owned.TryRemove(callId, out _))
        {
            load.CallEnded();
            await ownership.ReleaseAsync(id.ToString(), InstanceId);
            await awareness.ForgetCallAsync(id);
            await ForgetQualityAsync(id);
        }

        await HangUpLocalAsync(id, _ => true);
    }

    /// <summary>A user (or one device of theirs) left through the API: hang up their legs here.</summary>
    public Task OnLeaveAsync(Guid callId, Guid userId, Guid? deviceId) =>
        HangUpLocalAsync(new CallId(callId), leg => leg.UserId == userId && (deviceId is null || leg.DeviceId == deviceId));

    /// <summary>Rings every registered SIP device of <paramref name="userIds"/> into the call (in the background).</summary>
    public void Ring(Guid callId, IReadOnlyCollection<Guid> userIds)
    {
        foreach (var userId in userIds)
        {
            _ = RingUserAsync(new CallId(callId), userId, _ => true);
        }
    }

    /// <summary>
    /// Rings the user's registered devices that <paramref name="device"/> picks into the call; each that answers joins
    /// like a device that called in (the engine reports it). Logs how many answered; never throws.
    /// </summary>
    private async Task RingUserAsync(CallId callId, Guid userId, Func<Guid?, bool> device)
    {
        try
        {
            var answered = await conferences.RingAsync(callId, userId, device);
            CallsLog.Rang(logger, callId.Value, userId, answered);
        }
        catch (Exception exception)
        {
            CallsLog.BookkeepingFailed(logger, callId.ToString(), exception);
        }
    }

    /// <summary>One heartbeat: renew claims (a lost one hangs up its legs), keep SIP legs' awareness alive, end calls left empty.</summary>
    public async Task RenewAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        // Claims first and all at once: a claim that lapses while this round waits on other work costs a call.
        var rounds = await Task.WhenAll(owned.All.ToList().Select(async call => (Call: call, Kept: await RenewOrReclaimAsync(call.CallId))));
        var kept = new List<CallId>();
        foreach (var (call, renewed) in rounds)
        {
            var id = new CallId(call.CallId);
            if (!renewed)
            {
                // Moved away (MoveAwayAsync) or ended since this round began: handed over on purpose, not lost.
                if (!owned.TryRemove(call.CallId, out _))
                {
                    continue;
                }

                CallsLog.OwnershipLost(logger, call.CallId);
                load.CallEnded();
                await HangUpLocalAsync(id, _ => true);
                continue;
            }

            kept.Add(id);
            if (legs.Values.Any(l => l.CallId == id) || conferences.LegsOf(id).Count > 0)
            {
                call.EmptySince = null;
            }
            else
            {
                call.EmptySince ??= now;
                if (now - call.EmptySince >= options.Value.EmptyCallGrace)
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<CallEnder>().EndAsync(call.CallId, CallEnder.EndedEmpty, cancellationToken);
                }
            }
        }

        var current = legs.Values.ToList();
        await awareness.HeartbeatAsync(kept, current);
        foreach (var group in current.GroupBy(l => l.CallId))
        {
            var onHold = conferences.LegsOf(group.Key).Where(l => l.OnHold).Select(l => l.LegId).ToHashSet();
            foreach (var leg in group)
            {
                if (onHold.Contains(leg.LegId) != leg.Muted)
                {
                    leg.Muted = !leg.Muted;
                    await awareness.SetActivityAsync(leg);
                }
            }
        }
    }

    /// <summary>
    /// Renews this instance's claim on a call. A claim that lapsed (a renewal came late: a stalled process, a slow
    /// Redis) while nobody else took it is claimed again rather than given up: its legs are still here and mixing.
    /// </summary>
    private async Task<bool> RenewOrReclaimAsync(Guid callId)
    {
        var key = new CallId(callId).ToString();
        if (await ownership.RenewAsync(key, InstanceId))
        {
            return true;
        }

        if (!owned.Contains(callId) || await ownership.ClaimOrFindOwnerAsync(key, InstanceId) != InstanceId)
        {
            return false;
        }

        CallsLog.ClaimReclaimed(logger, callId);
        return true;
    }

    /// <summary>Reads the engines' events, in order, and hands each to its call's lane (talker flips coalesced per leg).</summary>
    private async Task PumpAsync()
    {
        await foreach (var happened in events.Reader.ReadAllAsync())
        {
            try
            {
                switch (happened)
                {
                    case SegmentOpened opened:
                        OnSegmentOpened(opened);
                        break;
                    case LegJoined joined when owned.Contains(joined.CallId.Value):
                        Enqueue(joined.CallId, async () =>
                        {
                            await RecordJoinAsync(joined);
                            await LogGapAfterMoveAsync(joined.CallId, joined.UserId, joined.At);
                        });
                        break;
                    case LegLeft left:
                        Enqueue(left.CallId, () => RecordLeaveAsync(left.LegId));
                        break;
                    case TalkingChanged talking:
                        QueueTalking(talking);
                        break;
                    case SegmentClosed closed:
                        Enqueue(closed.CallId, () => CompleteSegmentAsync(closed));
                        break;
                }
            }
            catch (Exception exception)
            {
                CallsLog.BookkeepingFailed(logger, happened.CallId.ToString(), exception);
            }
        }
    }

    private void OnSegmentOpened(SegmentOpened opened)
    {
        if (!owned.TryGet(opened.CallId.Value, out var call))
        {
            return;
        }

        call.SegmentStartedAt = opened.At;
        Enqueue(opened.CallId, async () =>
        {
            await using var scope = scopes.CreateAsyncScope();
            call.ClosedMs = await scope.ServiceProvider.GetRequiredService<CallRecordingArchive>().OpenAsync(opened.CallId, opened.WavPath, opened.At);
        });
    }

    private async Task CompleteSegmentAsync(SegmentClosed closed)
    {
        await using var scope = scopes.CreateAsyncScope();
        var endsAt = await scope.ServiceProvider.GetRequiredService<CallRecordingArchive>().CloseAsync(closed.CallId, closed.Recording);
        if (endsAt is { } end && owned.TryGet(closed.CallId.Value, out var call))
        {
            call.ClosedMs = end;
            call.SegmentStartedAt = null;
        }
    }

    /// <summary>
    /// Talker awareness is a state, not a history (the recording's timeline keeps the history): a leg has at most one
    /// talker update queued, which applies the latest state when its turn comes, so a queue that is behind does not
    /// grow with every flip.
    /// </summary>
    private void QueueTalking(TalkingChanged talking)
    {
        var legId = talking.LegId;
        talkingNow[legId] = talking.Talking;
        if (!talkingQueued.TryAdd(legId, 0))
        {
            return;
        }

        Enqueue(talking.CallId, () =>
        {
            // Removed before reading the state: a flip from here on queues its own update.
            talkingQueued.TryRemove(legId, out _);
            if (!legs.ContainsKey(legId))
            {
                // Not (or no longer) a participant here: nothing to show, and nothing to keep for it.
                talkingNow.TryRemove(legId, out _);
                return Task.CompletedTask;
            }

            return talkingNow.TryGetValue(legId, out var latest) ? SetTalkingAsync(legId, latest) : Task.CompletedTask;
        });
    }

    private async Task RecordJoinAsync(LegJoined joined)
    {
        if (!owned.TryGet(joined.CallId.Value, out var call))
        {
            return;
        }

        var now = time.GetUtcNow();
        var participant = new CallParticipant
        {
            Id = Guid.CreateVersion7(), CallId = call.CallId, UserId = joined.UserId, DeviceId = joined.DeviceId, LegId = joined.LegId.ToString(),
            InstanceId = InstanceId, JoinedAt = now.UtcDateTime, JoinOffsetMs = call.OffsetAt(now),
        };
        var leg = new LiveLeg(joined.LegId, joined.CallId, call.ConversationId, joined.UserId, joined.DeviceId, participant.Id) { Call = call };
        legs[joined.LegId] = leg;
        call.EmptySince = null;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TalkoDbContext>();
        db.Add(participant);
        await db.SaveChangesAsync();
        await awareness.JoinedAsync(leg);
        await PublishUpdatedAsync(scope.ServiceProvider.GetRequiredService<CallReader>(), joined.CallId);
    }

    private async Task RecordLeaveAsync(LegId legId)
    {
        talkingNow.TryRemove(legId, out _);
        if (!legs.TryRemove(legId, out var leg))
        {
            return;
        }

        var now = time.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TalkoDbContext>();
        // A leg hung up because the call moved away or ended leaves at the end of this instance's recording so far.
        var offset = leg.Call?.OffsetAt(now);
        var stillOwned = owned.TryGet(leg.CallId.Value, out var call);
        if (offset is { } unclamped && !stillOwned)
        {
            offset = await scope.ServiceProvider.GetRequiredService<CallRecordingArchive>().ClampToClosedSegmentAsync(leg.CallId, unclamped);
        }

        await db.Set<CallParticipant>().Where(p => p.Id == leg.ParticipantId)
            .ExecuteUpdateAsync(set => set.SetProperty(p => p.LeftAt, now.UtcDateTime).SetProperty(p => p.LeaveOffsetMs, offset));
        await awareness.LeftAsync(leg);
        if (call is not null && !legs.Values.Any(l => l.CallId == leg.CallId))
        {
            call.EmptySince = now;
        }

        await PublishUpdatedAsync(scope.ServiceProvider.GetRequiredService<CallReader>(), leg.CallId);
    }

    private async Task SetTalkingAsync(LegId legId, bool talking)
    {
        if (!legs.TryGetValue(legId, out var leg) || leg.Talking == talking)
        {
            return;
        }

        leg.Talking = talking;
        await awareness.TalkingAsync(leg, legs.Values.Any(l => l.CallId == leg.CallId && l.UserId == leg.UserId && l.Talking));
    }

    private async Task HangUpLocalAsync(CallId callId, Func<ConferenceLeg, bool> which)
    {
        foreach (var leg in conferences.LegsOf(callId).Where(which))
        {
            await conferences.HangUpAsync(callId, leg.LegId);
        }
    }

    private async Task PublishUpdatedAsync(CallReader reader, CallId callId)
    {
        if (await reader.ViewAsync(callId.Value, CancellationToken.None) is { } view)
        {
            await publisher.PublishAsync(new CallChanged(CallChanged.UpdatedName, view));
        }
    }

    /// <summary>Queues work for a call on its lane: the same call always lands on the same worker, so its work stays in order.</summary>
    private void Enqueue(CallId callId, Func<Task> action) =>
        lanes[(int)((uint)callId.GetHashCode() % (uint)lanes.Length)].Writer.TryWrite((callId, action));

    private async Task WorkAsync(Channel<(CallId CallId, Func<Task> Work)> lane)
    {
        await foreach (var (callId, action) in lane.Reader.ReadAllAsync())
        {
            try
            {
                await action();
            }
            catch (Exception exception)
            {
                CallsLog.BookkeepingFailed(logger, callId.ToString(), exception);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        events.Complete();
        await pump.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var lane in lanes)
        {
            lane.Writer.TryComplete();
        }

        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}

/// <summary>One talk spurt in a segment, in milliseconds from the segment's start.</summary>
public sealed record TalkerSpurt(string LegId, long StartMs, long EndMs);

[System.Text.Json.Serialization.JsonSerializable(typeof(List<TalkerSpurt>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, CallQualityView>))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class CallsJson : System.Text.Json.Serialization.JsonSerializerContext;
