using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Talko.Core.Awareness;
using Talko.Core.Blobs;
using Talko.Core.Calls;
using Talko.Core.Conversations;
using Talko.Core.Ephemeral;
using Talko.Core.Instances;
using Talko.Core.Media.Engine;
using Talko.Core.Media.Recording;
using Talko.Core.Sip;
using Talko.Core.Sip.Conferencing;
using Talko.Core.Sip.Registrar;
using Talko.Server.Data;
using Talko.Server.Features.Calls.Entities;
using Talko.Server.Sip;

namespace Talko.Server.Features.Calls;

/// <summary>
/// The owner's side of live calls on this instance: holds and renews their claims, hears the media engine
/// (joins, leaves, talkers, recordings) and turns it into participants, recording segments and awareness, ends
/// calls left empty, and adopts calls whose owner died (closing that owner's segment first, ADR 0601).
/// Media callbacks only queue work; a call's work runs in order on one of a few workers (a segment is indexed before
/// its legs), and each leg has at most one talker update waiting, which applies its latest state.
/// </summary>
public sealed partial class CallHost : IConferenceMediaObserver, IAsyncDisposable
{
    private readonly ConcurrentDictionary<Guid, OwnedCall> owned = new();
    private readonly ConcurrentDictionary<LegId, LegInfo> legs = new();
    // Adoption is serialised per call (striped), not per instance: a drain moves many calls at once, and each
    // adoption (closing the previous owner's segment) must not wait behind the others'.
    private readonly SemaphoreSlim[] adoption = [.. Enumerable.Range(0, 32).Select(_ => new SemaphoreSlim(1, 1))];
    private readonly Channel<(string CallId, Func<Task> Work)>[] lanes;
    private readonly Task[] workers;
    // The engine's latest talking state per leg; queued flips apply whatever it is when they run.
    private readonly ConcurrentDictionary<LegId, bool> talkingNow = new();
    private readonly ConcurrentDictionary<LegId, byte> talkingQueued = new();
    private readonly IServiceScopeFactory scopes;
    private readonly IServiceProvider services;
    private readonly CallOwnership ownership;
    private readonly CallCommandBus commands;
    private readonly InstanceLifecycle lifecycle;
    private readonly InstanceRegistry registry;
    private readonly IEphemeralStore store;
    private readonly KeySpace keys;
    private readonly AwarenessTracker awareness;
    private readonly IBlobStore blobs;
    private readonly IOptions<CallsOptions> options;
    private readonly IOptions<CallOwnershipOptions> ownershipOptions;
    private readonly TimeProvider time;
    private readonly ILogger<CallHost> logger;

    public CallHost(
        IServiceScopeFactory scopes,
        IServiceProvider services,
        CallOwnership ownership,
        CallCommandBus commands,
        InstanceLifecycle lifecycle,
        InstanceRegistry registry,
        IEphemeralStore store,
        KeySpace keys,
        AwarenessTracker awareness,
        IBlobStore blobs,
        IOptions<CallsOptions> options,
        IOptions<CallOwnershipOptions> ownershipOptions,
        TimeProvider time,
        ILogger<CallHost> logger)
    {
        this.scopes = scopes;
        this.services = services;
        this.ownership = ownership;
        this.commands = commands;
        this.lifecycle = lifecycle;
        this.registry = registry;
        this.store = store;
        this.keys = keys;
        this.awareness = awareness;
        this.blobs = blobs;
        this.options = options;
        this.ownershipOptions = ownershipOptions;
        this.time = time;
        this.logger = logger;
        lanes = [.. Enumerable.Range(0, options.Value.BookkeepingWorkers)
            .Select(_ => Channel.CreateUnbounded<(string, Func<Task>)>(new() { SingleReader = true }))];
        workers = [.. lanes.Select(lane => Task.Run(() => WorkAsync(lane)))];
    }

    public string InstanceId => lifecycle.InstanceId;

    /// <summary>Calls this instance owns right now.</summary>
    public IReadOnlyCollection<Guid> OwnedCalls => [.. owned.Keys];

    private SipEngineHost Sip => services.GetRequiredService<SipEngineHost>();

    /// <summary>
    /// Makes sure this instance, which holds the claim, also keeps the call: adopts it (closing a dead owner's segment
    /// and telling clients to rejoin) the first time. False when the call is not live (the claim is released).
    /// </summary>
    public async Task<bool> EnsureOwnedAsync(Guid callId, CancellationToken cancellationToken)
    {
        if (owned.ContainsKey(callId))
        {
            return true;
        }

        var gate = adoption[(callId.GetHashCode() & int.MaxValue) % adoption.Length];
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (owned.ContainsKey(callId))
            {
                return true;
            }

            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TalkoDbContext>();
            var call = await db.Set<Call>().SingleOrDefaultAsync(c => c.Id == callId, cancellationToken);
            if (call is null || call.EndedAt is not null)
            {
                await ownership.ReleaseAsync(callId.ToString(), InstanceId);
                return false;
            }

            await AwaitHandoverAsync(db, callId, cancellationToken);
            var previous = await CloseOrphansAsync(db, callId, cancellationToken);
            var closedMs = await db.Set<RecordingSegment>().Where(s => s.CallId == callId && s.State != SegmentState.Recording)
                .SumAsync(s => s.DurationMs ?? 0, cancellationToken);
            var entry = new OwnedCall(callId, call.ConversationId) { ClosedMs = closedMs, EmptySince = time.GetUtcNow() };
            owned[callId] = entry;
            services.GetService<Talko.Server.Hosting.InstanceLoadCounters>()?.CallStarted();
            CallsLog.Owned(logger, InstanceId, callId, previous);
            if (previous is not null && Sip.SipAddress is { } address)
            {
                var events = scope.ServiceProvider.GetRequiredService<IConversationEventPublisher>();
                await events.PublishAsync(new CallMoved(call.ConversationId, new CallMovedView(callId, call.ConversationId, InstanceId, CallPlacement.ConferenceUri(callId, address))), cancellationToken);
            }

            return true;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Offset into the whole recording now, for items posted during the call; null if this instance does not own it.</summary>
    public long? CurrentOffsetMs(Guid callId) => owned.TryGetValue(callId, out var call) ? call.OffsetAt(time.GetUtcNow()) : null;

    /// <summary>Users talking in a call whose legs are here.</summary>
    public IReadOnlyList<Guid> TalkingHere(Guid callId) => [.. legs.Values.Where(l => l.CallId == callId && l.Talking).Select(l => l.UserId).Distinct()];

    /// <summary>
    /// For blue/green past a drain deadline: hands a call to another serving instance. The claim is moved to
    /// <paramref name="targetInstanceId"/> (the registry's SIP address goes to clients in a <c>callMoved</c> event), then
    /// each SIP leg here is referred there (<see cref="HandOverLegsAsync"/>) so this segment closes as they leave;
    /// devices rejoin there and recording continues in a new segment.
    /// </summary>
    public async Task<bool> MoveAwayAsync(Guid callId, string targetInstanceId, string targetSipAddress, ConferenceTransferTimings transfer, CancellationToken cancellationToken = default)
    {
        if (!owned.TryRemove(callId, out var call))
        {
            return false;
        }

        await ownership.ReleaseAsync(callId.ToString(), InstanceId);
        var newOwner = await ownership.ClaimOrFindOwnerAsync(callId.ToString(), targetInstanceId);

        // The new owner reads this when each participant's leg joins there, to log the audio gap they suffered;
        // it is set before clients hear callMoved so that a quick rejoin still finds it.
        await store.SetAsync(keys.CallMovedAt(callId.ToString()), time.GetUtcNow().ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), MovedMarkerLifetime);
        await using (var scope = scopes.CreateAsyncScope())
        {
            var events = scope.ServiceProvider.GetRequiredService<IConversationEventPublisher>();
            await events.PublishAsync(new CallMoved(call.ConversationId, new CallMovedView(callId, call.ConversationId, newOwner, CallPlacement.ConferenceUri(callId, targetSipAddress))), cancellationToken);
        }

        await HandOverLegsAsync(callId, newOwner, targetSipAddress, transfer, cancellationToken);
        services.GetService<Talko.Server.Hosting.InstanceLoadCounters>()?.CallEnded();
        return true;
    }

    /// <summary>Longest wait for the signalling layer to name the caller of a new media leg.</summary>
    private static readonly TimeSpan CallerWait = TimeSpan.FromSeconds(5);

    /// <summary>Participants who have not rejoined a moved call by then are not counted as a gap but as gone.</summary>
    private static readonly TimeSpan MovedMarkerLifetime = TimeSpan.FromMinutes(2);

    /// <summary>
    /// A participant's leg joined a call that another instance handed over: log how long they were without audio, from
    /// the move to <paramref name="joinedAt"/> (when the media leg here started, not when the bookkeeping got to it).
    /// </summary>
    private async Task LogGapAfterMoveAsync(Guid callId, Guid userId, DateTimeOffset? joinedAt = null)
    {
        if (await store.GetAsync(keys.CallMovedAt(callId.ToString())) is { } movedAt
            && long.TryParse(movedAt, System.Globalization.CultureInfo.InvariantCulture, out var movedAtMs))
        {
            var gap = (joinedAt ?? time.GetUtcNow()) - DateTimeOffset.FromUnixTimeMilliseconds(movedAtMs);
            CallsLog.RejoinedAfterMove(logger, callId, userId, (long)gap.TotalMilliseconds);
        }
    }

    /// <summary>The call ended (anywhere): hang up its legs here and give up its claim.</summary>
    public async Task OnCallEndedAsync(Guid callId)
    {
        if (owned.TryRemove(callId, out _))
        {
            services.GetService<Talko.Server.Hosting.InstanceLoadCounters>()?.CallEnded();
            await ownership.ReleaseAsync(callId.ToString(), InstanceId);
            await store.DeleteAsync(keys.CallTalking(callId.ToString()));
            await ForgetQualityAsync(callId);
        }

        await HangUpLocalAsync(callId, _ => true);
    }

    /// <summary>A user (or one device of theirs) left through the API: hang up their legs here.</summary>
    public Task OnLeaveAsync(Guid callId, Guid userId, Guid? deviceId) =>
        HangUpLocalAsync(callId, leg => leg.UserId == userId && (deviceId is null || leg.DeviceId == deviceId));

    /// <summary>Rings every registered SIP device of <paramref name="userIds"/> into the call (in the background).</summary>
    public void Ring(Guid callId, IReadOnlyCollection<Guid> userIds)
    {
        if (userIds.Count == 0 || Sip.Engine is not { } engine)
        {
            return;
        }

        foreach (var userId in userIds)
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    await RingUserAsync(engine, callId, userId, _ => true, afterMove: false);
                }
                catch (Exception exception)
                {
                    CallsLog.BookkeepingFailed(logger, callId.ToString(), exception);
                }
            });
        }
    }

    /// <summary>
    /// Rings the user's registered devices that <paramref name="which"/> picks into the call and records each one that
    /// answers as a participant (after a move, with the audio gap it suffered). Returns when every ring has ended.
    /// </summary>
    private async Task RingUserAsync(SipEngine engine, Guid callId, Guid userId, Func<SipBinding, bool> which, bool afterMove)
    {
        var targets = (await engine.Bindings.GetByUserAsync(userId.ToString("D"))).Where(which).ToList();
        var answered = 0;
        await Task.WhenAll(targets.Select(async binding =>
        {
            if (await engine.Dialer.RingAsync(callId.ToString(), binding) is { } leg)
            {
                Interlocked.Increment(ref answered);
                Guid? device = Guid.TryParse(binding.DeviceId, out var d) ? d : null;
                Enqueue(callId.ToString(), async () =>
                {
                    await RecordJoinAsync(callId, leg.Leg.LegId, userId, device);
                    if (afterMove)
                    {
                        await LogGapAfterMoveAsync(callId, userId);
                    }
                });
            }
        }));
        CallsLog.Rang(logger, callId, userId, answered);
    }

    /// <summary>One heartbeat: renew claims (a lost one hangs up its legs), keep SIP legs' awareness alive, end calls left empty.</summary>
    public async Task RenewAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        // Claims first and all at once: a claim that lapses while this round waits on other work costs a call.
        var rounds = await Task.WhenAll(owned.Values.ToList().Select(async call => (Call: call, Kept: await RenewOrReclaimAsync(call.CallId))));
        foreach (var (call, kept) in rounds)
        {
            if (!kept)
            {
                // Moved away (MoveAwayAsync) or ended since this round began: handed over on purpose, not lost.
                if (!owned.TryRemove(call.CallId, out _))
                {
                    continue;
                }

                CallsLog.OwnershipLost(logger, call.CallId);
                services.GetService<Talko.Server.Hosting.InstanceLoadCounters>()?.CallEnded();
                await HangUpLocalAsync(call.CallId, _ => true);
                continue;
            }

            await store.ExpireAsync(keys.CallTalking(call.CallId.ToString()), ownershipOptions.Value.ClaimTimeToLive);
            var hasLegs = legs.Values.Any(l => l.CallId == call.CallId) || (Sip.Engine?.Conferences.Calls.Any(c => c.ConferenceId == call.CallId.ToString()) ?? false);
            if (hasLegs)
            {
                call.EmptySince = null;
            }
            else
            {
                call.EmptySince ??= now;
                if (now - call.EmptySince >= options.Value.EmptyCallGrace)
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<CallService>().EndAsync(call.CallId, CallService.EndedEmpty, cancellationToken);
                }
            }
        }

        var current = legs.Values.ToList();
        await Task.WhenAll(current.Select(leg => awareness.HeartbeatAsync(leg.AwarenessConnectionId, TimeSpan.Zero)));
        foreach (var leg in current)
        {
            var onHold = Sip.Engine?.Conferences.Calls.FirstOrDefault(c => c.Leg.LegId == leg.LegId)?.OnHold ?? false;
            if (onHold != leg.Muted)
            {
                leg.Muted = onHold;
                await SetActivityAsync(leg);
            }
        }
    }

    /// <summary>
    /// Renews this instance's claim on a call. A claim that lapsed (a renewal came late: a stalled process, a slow
    /// Redis) while nobody else took it is claimed again rather than given up: its legs are still here and mixing.
    /// </summary>
    private async Task<bool> RenewOrReclaimAsync(Guid callId)
    {
        var key = callId.ToString();
        if (await ownership.RenewAsync(key, InstanceId))
        {
            return true;
        }

        if (!owned.ContainsKey(callId) || await ownership.ClaimOrFindOwnerAsync(key, InstanceId) != InstanceId)
        {
            return false;
        }

        CallsLog.ClaimReclaimed(logger, callId);
        return true;
    }

    void IConferenceMediaObserver.OnRecordingStarted(string conferenceId, string wavPath)
    {
        if (!TryOwned(conferenceId, out var call))
        {
            return;
        }

        var startedAt = time.GetUtcNow();
        call.SegmentStartedAt = startedAt;
        Enqueue(conferenceId, async () =>
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TalkoDbContext>();
            var segments = db.Set<RecordingSegment>().Where(s => s.CallId == call.CallId);
            var index = await segments.AnyAsync() ? await segments.MaxAsync(s => s.Index) + 1 : 0;
            var baseMs = await segments.Where(s => s.State != SegmentState.Recording).SumAsync(s => s.DurationMs ?? 0);
            call.ClosedMs = baseMs;
            db.Add(new RecordingSegment
            {
                Id = Guid.CreateVersion7(), CallId = call.CallId, Index = index, InstanceId = InstanceId, State = SegmentState.Recording,
                StartedAt = startedAt.UtcDateTime, BaseOffsetMs = baseMs, LocalPath = wavPath,
            });
            await db.SaveChangesAsync();
        });
    }

    void IConferenceMediaObserver.OnLegJoined(string conferenceId, LegId legId)
    {
        // Legs the engine rings out are recorded once answered (Ring); until then they are only ringing.
        if (!TryOwned(conferenceId, out var call) || legId.Direction == LegDirection.RingOut)
        {
            return;
        }

        var joinedAt = time.GetUtcNow();
        Enqueue(conferenceId, async () =>
        {
            // The signalling layer tracks its call right after the media leg exists; wait a moment for it (on a loaded
            // machine that moment can be long, so the wait is by the clock, not by a number of polls).
            SipCredential? caller = null;
            var waiting = System.Diagnostics.Stopwatch.StartNew();
            while ((caller = Sip.Engine?.Conferences.Calls.FirstOrDefault(c => c.Leg.LegId == legId)?.Caller) is null && waiting.Elapsed < CallerWait)
            {
                await Task.Delay(20);
            }

            if (caller is not null && Guid.TryParse(caller.UserId, out var userId))
            {
                await RecordJoinAsync(call.CallId, legId, userId, Guid.TryParse(caller.DeviceId, out var device) ? device : null);
                await LogGapAfterMoveAsync(call.CallId, userId, joinedAt);
            }
            else if (caller is null && services.GetService<ConferenceMediaEngine>()?.FindLeg(conferenceId, legId) is not null)
            {
                CallsLog.JoinUnattributed(logger, call.CallId, legId, (long)waiting.Elapsed.TotalMilliseconds);
            }
        });
    }

    void IConferenceMediaObserver.OnLegLeft(string conferenceId, LegId legId) =>
        Enqueue(conferenceId, () => RecordLeaveAsync(legId));

    void IConferenceMediaObserver.OnTalkingStarted(string conferenceId, LegId legId, TimeSpan offset) =>
        QueueTalking(conferenceId, legId, true);

    void IConferenceMediaObserver.OnTalkingStopped(string conferenceId, LegId legId, TimeSpan offset) =>
        QueueTalking(conferenceId, legId, false);

    void IConferenceMediaObserver.OnRecordingCompleted(RecordingResult recording) =>
        Enqueue(recording.ConferenceId, () => CompleteSegmentAsync(recording));

    public async ValueTask DisposeAsync()
    {
        foreach (var lane in lanes)
        {
            lane.Writer.TryComplete();
        }

        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>
    /// Talker awareness is a state, not a history (the recording's timeline keeps the history): a leg has at most one
    /// talker update queued, which applies the latest state when its turn comes, so a queue that is behind does not
    /// grow with every flip.
    /// </summary>
    private void QueueTalking(string conferenceId, LegId legId, bool talking)
    {
        talkingNow[legId] = talking;
        if (!talkingQueued.TryAdd(legId, 0))
        {
            return;
        }

        Enqueue(conferenceId, () =>
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

    private async Task RecordJoinAsync(Guid callId, LegId legId, Guid userId, Guid? deviceId)
    {
        if (!owned.TryGetValue(callId, out var call))
        {
            return;
        }

        var now = time.GetUtcNow();
        var participant = new CallParticipant
        {
            Id = Guid.CreateVersion7(), CallId = callId, UserId = userId, DeviceId = deviceId, LegId = legId.ToString(), InstanceId = InstanceId,
            JoinedAt = now.UtcDateTime, JoinOffsetMs = call.OffsetAt(now),
        };
        var leg = new LegInfo(legId, callId, call.ConversationId, userId, deviceId, participant.Id, $"sip:{legId}") { Call = call };
        legs[legId] = leg;
        call.EmptySince = null;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TalkoDbContext>();
        db.Add(participant);
        await db.SaveChangesAsync();
        await awareness.ConnectAsync(leg.AwarenessConnectionId, userId.ToString("D"), deviceId?.ToString("D"));
        await SetActivityAsync(leg);
        await PublishUpdatedAsync(scope.ServiceProvider, callId);
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
        var stillOwned = owned.TryGetValue(leg.CallId, out var call);
        if (offset is { } unclamped && !stillOwned)
        {
            offset = await ClampToClosedSegmentAsync(db, leg.CallId, unclamped);
        }

        await db.Set<CallParticipant>().Where(p => p.Id == leg.ParticipantId)
            .ExecuteUpdateAsync(set => set.SetProperty(p => p.LeftAt, now.UtcDateTime).SetProperty(p => p.LeaveOffsetMs, offset));
        if (leg.Talking)
        {
            await store.SetRemoveAsync(keys.CallTalking(leg.CallId.ToString()), leg.UserId.ToString("D"));
        }

        await awareness.DisconnectAsync(leg.AwarenessConnectionId);
        if (call is not null && !legs.Values.Any(l => l.CallId == leg.CallId))
        {
            call.EmptySince = now;
        }

        await PublishUpdatedAsync(scope.ServiceProvider, leg.CallId);
    }

    /// <summary>
    /// A leg that lingers after its call moved away (a transfer being answered) cannot leave past this instance's
    /// segment once the new owner has closed it: what was mixed here after that is not in the recording.
    /// </summary>
    private async Task<long> ClampToClosedSegmentAsync(TalkoDbContext db, Guid callId, long offset)
    {
        var end = await db.Set<RecordingSegment>()
            .Where(s => s.CallId == callId && s.InstanceId == InstanceId && s.State != SegmentState.Recording && s.DurationMs != null)
            .OrderByDescending(s => s.Index)
            .Select(s => (long?)(s.BaseOffsetMs + s.DurationMs!.Value))
            .FirstOrDefaultAsync();
        return end is { } closedAt ? Math.Min(offset, closedAt) : offset;
    }

    private async Task SetTalkingAsync(LegId legId, bool talking)
    {
        if (!legs.TryGetValue(legId, out var leg) || leg.Talking == talking)
        {
            return;
        }

        leg.Talking = talking;
        var key = keys.CallTalking(leg.CallId.ToString());
        if (talking)
        {
            await store.SetAddAsync(key, leg.UserId.ToString("D"));
            await store.ExpireAsync(key, ownershipOptions.Value.ClaimTimeToLive);
        }
        else if (!legs.Values.Any(l => l.CallId == leg.CallId && l.UserId == leg.UserId && l.Talking))
        {
            await store.SetRemoveAsync(key, leg.UserId.ToString("D"));
        }

        await SetActivityAsync(leg);
    }

    private Task SetActivityAsync(LegInfo leg) =>
        awareness.SetActivityAsync(leg.AwarenessConnectionId, Activity.InCall(leg.ConversationId.ToString("D"), leg.CallId.ToString("D"), leg.Muted, leg.Talking));

    private async Task CompleteSegmentAsync(RecordingResult recording)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TalkoDbContext>();
        var talkers = recording.Segments.Select(s => new TalkerSpurt(s.LegId, s.StartMs, s.EndMs)).ToList();
        var talkersJson = JsonSerializer.Serialize(talkers, CallsJson.Default.ListTalkerSpurt);
        var segment = await db.Set<RecordingSegment>().SingleOrDefaultAsync(s => s.LocalPath == recording.WavPath && s.State == SegmentState.Recording);
        if (segment is null)
        {
            // An adopter that gave up waiting (ADR 0610) closed it from the file; its length is what later segments
            // are based on, so only the talker timeline, which only this instance has, is added, cut to that length
            // (the adopter copied the file as far as it had been written).
            var closed = await db.Set<RecordingSegment>()
                .SingleOrDefaultAsync(s => s.LocalPath == recording.WavPath && s.InstanceId == InstanceId && s.State != SegmentState.Recording && s.TalkersJson == null);
            if (closed is not null)
            {
                var length = closed.DurationMs ?? 0;
                var kept = talkers.Where(t => t.StartMs < length).Select(t => t with { EndMs = Math.Min(t.EndMs, length) }).ToList();
                closed.TalkersJson = JsonSerializer.Serialize(kept, CallsJson.Default.ListTalkerSpurt);
                await db.SaveChangesAsync();
            }

            TryDelete(recording.WavPath);
            TryDelete(recording.TimelinePath);
            return;
        }

        await StoreSegmentAsync(segment, recording.WavPath, talkersJson);
        await db.SaveChangesAsync();
        if (owned.TryGetValue(segment.CallId, out var call))
        {
            call.ClosedMs = segment.BaseOffsetMs + (segment.DurationMs ?? 0);
            call.SegmentStartedAt = null;
        }

        TryDelete(recording.WavPath);
        TryDelete(recording.TimelinePath);
    }

    /// <summary>Copies the WAV into the blob store and marks the segment complete (or lost when its file is gone).</summary>
    private async Task StoreSegmentAsync(RecordingSegment segment, string wavPath, string? talkersJson)
    {
        segment.ClosedAt = time.GetUtcNow().UtcDateTime;
        segment.TalkersJson = talkersJson;
        if (!File.Exists(wavPath))
        {
            segment.State = SegmentState.Lost;
            segment.DurationMs = 0;
            segment.DataBytes = 0;
        }
        else
        {
            await using var file = new FileStream(wavPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var dataBytes = Math.Max(0, (file.Length - WavFormat.HeaderLength) & ~1L);
            var stored = await blobs.PutAsync(new BoundedStream(file, WavFormat.HeaderLength + dataBytes), options.Value.MaxSegmentBytes);
            segment.State = SegmentState.Complete;
            segment.BlobId = stored.Id;
            segment.DataBytes = dataBytes;
            segment.DurationMs = dataBytes / 2 * 1000 / Talko.Core.Media.Codecs.G711.SampleRate;
        }

        CallsLog.SegmentClosed(logger, segment.CallId, segment.Index, segment.DurationMs ?? 0, segment.State.ToString());
    }

    /// <summary>
    /// A previous owner that is still alive (it handed the call over in a drain move) closes its own segment, with the
    /// talker timeline only it holds, moments after its legs are hung up: wait for that (up to
    /// <see cref="CallsOptions.HandoverWait"/>) rather than close the segment from its file without talkers (ADR 0610).
    /// The wait ends early when that owner is gone (<see cref="InstanceLiveness"/>: it died, nobody else will close it).
    /// </summary>
    private async Task AwaitHandoverAsync(TalkoDbContext db, Guid callId, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        HashSet<string> awaited = new(StringComparer.Ordinal);
        while (true)
        {
            var openElsewhere = await db.Set<RecordingSegment>().AsNoTracking()
                .Where(s => s.CallId == callId && s.State == SegmentState.Recording && s.InstanceId != InstanceId)
                .Select(s => s.InstanceId).Distinct().ToListAsync(cancellationToken);
            var alive = new List<string>();
            var liveness = services.GetRequiredService<InstanceLiveness>();
            foreach (var instance in openElsewhere)
            {
                if (await liveness.FindAliveAsync(instance) is not null)
                {
                    alive.Add(instance);
                }
            }

            var elapsed = time.GetElapsedTime(started);
            awaited.UnionWith(alive);
            if (alive.Count == 0 || elapsed >= options.Value.HandoverWait)
            {
                if (awaited.Count > 0)
                {
                    CallsLog.HandoverAwaited(logger, callId, string.Join(",", awaited), (long)elapsed.TotalMilliseconds, openElsewhere.Count == 0);
                }

                return;
            }

            await Task.Delay(HandoverPollInterval, time, cancellationToken);
        }
    }

    private static readonly TimeSpan HandoverPollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Closes segments a dead owner left open: its file, if this instance can reach it, goes into the blob store as it was cut off.</summary>
    private async Task<string?> CloseOrphansAsync(TalkoDbContext db, Guid callId, CancellationToken cancellationToken)
    {
        var orphans = await db.Set<RecordingSegment>().Where(s => s.CallId == callId && s.State == SegmentState.Recording && s.InstanceId != InstanceId)
            .OrderBy(s => s.Index).ToListAsync(cancellationToken);
        foreach (var orphan in orphans)
        {
            await StoreSegmentAsync(orphan, orphan.LocalPath, null);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var stale = await db.Set<CallParticipant>().Where(p => p.CallId == callId && p.LeftAt == null && p.InstanceId != InstanceId).ToListAsync(cancellationToken);
        foreach (var participant in stale)
        {
            participant.LeftAt = now;
        }

        await db.SaveChangesAsync(cancellationToken);
        var previous = orphans.Select(o => o.InstanceId).Concat(stale.Select(p => p.InstanceId)).FirstOrDefault()
            ?? await db.Set<RecordingSegment>().Where(s => s.CallId == callId).OrderByDescending(s => s.Index).Select(s => s.InstanceId).FirstOrDefaultAsync(cancellationToken);
        return previous == InstanceId ? null : previous;
    }

    private async Task HangUpLocalAsync(Guid callId, Func<LegInfo, bool> which)
    {
        if (Sip.Engine is not { } engine)
        {
            return;
        }

        var conference = callId.ToString();
        foreach (var call in engine.Conferences.Calls.Where(c => c.ConferenceId == conference).ToList())
        {
            var known = legs.TryGetValue(call.Leg.LegId, out var leg);
            if (!known ? which(new LegInfo(call.Leg.LegId, callId, Guid.Empty, Guid.Empty, null, Guid.Empty, "")) : which(leg!))
            {
                await engine.Conferences.HangUpAsync(call);
            }
        }
    }

    private async Task PublishUpdatedAsync(IServiceProvider scoped, Guid callId)
    {
        if (await scoped.GetRequiredService<CallService>().ViewAsync(callId, CancellationToken.None) is { } view)
        {
            await scoped.GetRequiredService<IConversationEventPublisher>().PublishAsync(new CallChanged(CallChanged.UpdatedName, view));
        }
    }

    private bool TryOwned(string conferenceId, out OwnedCall call)
    {
        call = null!;
        return Guid.TryParse(conferenceId, out var id) && owned.TryGetValue(id, out call!);
    }

    /// <summary>Queues work for a call on its lane: the same call always lands on the same worker, so its work stays in order.</summary>
    private void Enqueue(string callId, Func<Task> action) =>
        lanes[(int)((uint)StringComparer.Ordinal.GetHashCode(callId) % (uint)lanes.Length)].Writer.TryWrite((callId, action));

    private async Task WorkAsync(Channel<(string CallId, Func<Task> Work)> lane)
    {
        await foreach (var (callId, action) in lane.Reader.ReadAllAsync())
        {
            try
            {
                await action();
            }
            catch (Exception exception)
            {
                CallsLog.BookkeepingFailed(logger, callId, exception);
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // A leftover local file costs space only; the blob is the copy that counts.
        }
    }

    private sealed class OwnedCall(Guid callId, Guid conversationId)
    {
        public Guid CallId { get; } = callId;

        public Guid ConversationId { get; } = conversationId;

        public DateTimeOffset? EmptySince { get; set; }

        public DateTimeOffset? SegmentStartedAt { get; set; }

        /// <summary>Length of the closed segments: where the live one starts.</summary>
        public long ClosedMs { get; set; }

        public long OffsetAt(DateTimeOffset now) =>
            SegmentStartedAt is { } start ? ClosedMs + Math.Max(0, (long)(now - start).TotalMilliseconds) : ClosedMs;
    }

    private sealed record LegInfo(LegId LegId, Guid CallId, Guid ConversationId, Guid UserId, Guid? DeviceId, Guid ParticipantId, string AwarenessConnectionId)
    {
        /// <summary>The call as this instance owned it when the leg joined; kept after a move so the leave has an offset.</summary>
        public OwnedCall? Call { get; init; }

        public bool Talking { get; set; }

        public bool Muted { get; set; }
    }
}

/// <summary>One talk spurt in a segment, in milliseconds from the segment's start.</summary>
public sealed record TalkerSpurt(string LegId, long StartMs, long EndMs);

[System.Text.Json.Serialization.JsonSerializable(typeof(List<TalkerSpurt>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, CallQualityView>))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class CallsJson : System.Text.Json.Serialization.JsonSerializerContext;
