using Talko.Core.Media.Quality;

namespace Talko.Core.Calls;

/// <summary>
/// One live call on this instance, as one object with one mailbox (the seed's "gen_server per shared object"): its legs,
/// talkers, segment clock and claim change only on its own loop, one message at a time, so nothing here is locked and
/// a call's events apply in the order the engines reported them (a segment is indexed before its legs join). It exists
/// while this instance owns the call, and after that for as long as legs or a recording segment of the call are still
/// here (a moved or ended call's legs leave, its segment is stored); then it retires. Work that waits on devices
/// (ringing, transfers) runs beside the loop, never in it, so the loop always gets to the legs' leaves.
/// </summary>
public sealed partial class LiveCall
{
    private readonly LiveCallContext context;
    private readonly LiveCalls registry;
    private readonly CancellationToken stopping;
    private readonly Dictionary<LegId, LiveLeg> legs = [];
    private Dictionary<(Guid UserId, Guid? DeviceId), CallQualityGrade>? publishedGrades;
    private DateTimeOffset? emptySince;
    private bool segmentOpen;
    private TaskCompletionSource? segmentStored;
    private Task loop = Task.CompletedTask;
    // Read by other threads (the view's recorded length, the owned list); written only by the loop.
    private volatile SegmentClock clock = new(0, null);
    private volatile bool owned;

    internal LiveCall(CallId id, LiveCallContext context, LiveCalls registry, CancellationToken stopping)
    {
        Id = id;
        this.context = context;
        this.registry = registry;
        this.stopping = stopping;
    }

    public CallId Id { get; }

    /// <summary>Whether this instance owns the call (adopted, not moved away, not ended).</summary>
    public bool IsOwned => owned;

    public Guid ConversationId { get; private set; }

    internal LiveCallMailbox Mailbox { get; } = new();

    internal Task Completion => loop;

    /// <summary>Offset into the whole recording at <paramref name="now"/>.</summary>
    public long OffsetAt(DateTimeOffset now) => clock.OffsetAt(now);

    internal void Start() => loop = Task.Run(RunAsync, CancellationToken.None);

    private async Task RunAsync()
    {
        await foreach (var message in Mailbox.Reader.ReadAllAsync(CancellationToken.None))
        {
            try
            {
                await HandleAsync(message);
            }
            catch (Exception exception)
            {
                LiveCallLog.BookkeepingFailed(context.Logger, Id.ToString(), exception);
            }
            finally
            {
                Mailbox.Handled();
            }

            if (!owned && legs.Count == 0 && !segmentOpen && Mailbox.TryCloseIdle())
            {
                break;
            }
        }

        registry.Retired(this);
    }

    private Task HandleAsync(LiveCallMessage message)
    {
        switch (message)
        {
            case Adopt adopt:
                return AdoptAsync(adopt);
            case EngineReported { Event: LegJoined joined }:
                return JoinAsync(joined);
            case EngineReported { Event: LegLeft left }:
                return LeaveAsync(left.LegId);
            case EngineReported { Event: SegmentOpened opened }:
                return OpenSegmentAsync(opened);
            case EngineReported { Event: SegmentClosed closed }:
                return CloseSegmentAsync(closed);
            case TalkerDue due:
                return TalkingAsync(due.LegId);
            case Commanded { Command: EndCall }:
                return EndAsync();
            case Commanded { Command: LeaveCall leave }:
                HangUp(leg => leg.UserId == leave.UserId && (leave.DeviceId is null || leg.DeviceId == leave.DeviceId));
                return Task.CompletedTask;
            case Commanded { Command: RingMembers ring }:
                Ring(ring.UserIds);
                return Task.CompletedTask;
            case Commanded { Command: RingBack back }:
                RingBack(back);
                return Task.CompletedTask;
            case Heartbeat:
                Mailbox.Taken(message);
                return HeartbeatAsync();
            case HoldChanged:
                return owned ? ShowHoldsAsync(context.Conferences.LegsOf(Id)) : Task.CompletedTask;
            case QualityDue:
                Mailbox.Taken(message);
                return ReportQualityAsync();
            case MoveAway move:
                return MoveAwayAsync(move);
            case Flush flush:
                flush.Done.TrySetResult();
                return Task.CompletedTask;
            default:
                return Task.CompletedTask;
        }
    }

    /// <summary>
    /// Adopts the call the first time (closing a dead owner's segment first, ADR 0601; telling clients to rejoin when it
    /// came from another owner). A call that is not live releases the claim and stays unowned.
    /// </summary>
    private async Task AdoptAsync(Adopt adopt)
    {
        try
        {
            if (owned)
            {
                adopt.Done?.TrySetResult(true);
                return;
            }

            if (await context.Bookkeeping.FindLiveAsync(Id, stopping) is not { } conversationId)
            {
                await context.Ownership.ReleaseAsync(Id.ToString(), context.InstanceId);
                adopt.Done?.TrySetResult(false);
                return;
            }

            var adoption = await context.Bookkeeping.AdoptAsync(Id, stopping);
            ConversationId = conversationId;
            clock = new SegmentClock(adoption.ClosedMs, null);
            emptySince = context.Time.GetUtcNow();
            owned = true;
            context.Instance.CallStarted();
            LiveCallLog.Owned(context.Logger, context.InstanceId, Id.Value, adoption.PreviousOwner);
            adopt.Done?.TrySetResult(true);
            if (adoption.PreviousOwner is not null && context.SipAddress is { } address)
            {
                await context.Announcer.MovedAsync(Id, conversationId, context.InstanceId, CallSipUri.At(Id, address), stopping);
            }
        }
        catch (Exception exception) when (adopt.Done is not null)
        {
            adopt.Done.TrySetException(exception);
        }
    }

    private async Task JoinAsync(LegJoined joined)
    {
        if (!owned)
        {
            return;
        }

        var leg = new LiveLeg(joined.LegId, Id, ConversationId, joined.UserId, joined.DeviceId);
        legs[joined.LegId] = leg;
        emptySince = null;
        // The join is placed where the leg entered the mixer, not where this loop got to it: on a busy machine the
        // loop can be behind by more than the leg's first words, and a join marker after its own talk misleads.
        leg.ParticipantId = await context.Bookkeeping.JoinedAsync(Id, joined, joined.At, clock.OffsetAt(joined.At));
        await context.Awareness.JoinedAsync(leg);
        await context.Announcer.UpdatedAsync(Id);
        await LogGapAfterMoveAsync(joined);
    }

    /// <summary>
    /// A participant's leg joined a call that another instance handed over: log how long they were without audio, from
    /// the move to when the leg joined here (not when the loop got to it).
    /// </summary>
    private async Task LogGapAfterMoveAsync(LegJoined joined)
    {
        if (await context.Records.MovedAtAsync(Id) is { } movedAt)
        {
            LiveCallLog.RejoinedAfterMove(context.Logger, Id.Value, joined.UserId, (long)(joined.At - movedAt).TotalMilliseconds);
        }
    }

    private async Task LeaveAsync(LegId legId)
    {
        if (!legs.Remove(legId, out var leg))
        {
            return;
        }

        var now = context.Time.GetUtcNow();
        // A leg hung up because the call moved away or ended leaves at the end of this instance's recording so far.
        long? offset = clock.OffsetAt(now);
        if (!owned)
        {
            offset = await context.Bookkeeping.ClampToClosedSegmentAsync(Id, offset.Value);
        }

        if (leg.ParticipantId is { } participant)
        {
            await context.Bookkeeping.LeftAsync(participant, now, offset);
        }

        await context.Awareness.LeftAsync(leg);
        if (owned && legs.Count == 0)
        {
            emptySince = now;
        }

        await context.Announcer.UpdatedAsync(Id);
    }

    /// <summary>
    /// Talker awareness is a state, not a history (the recording's timeline keeps the history): this applies the leg's
    /// latest state, whatever flips came before it.
    /// </summary>
    private async Task TalkingAsync(LegId legId)
    {
        if (!Mailbox.TakeTalking(legId, out var talking) || !legs.TryGetValue(legId, out var leg) || leg.Talking == talking)
        {
            return;
        }

        leg.Talking = talking;
        LiveCallLog.TalkingChanged(context.Logger, Id.Value, legId.ToString(), leg.UserId, talking);
        await context.Awareness.TalkingAsync(leg, legs.Values.Any(l => l.UserId == leg.UserId && l.Talking));
    }

    private async Task OpenSegmentAsync(SegmentOpened opened)
    {
        if (!owned)
        {
            return;
        }

        segmentOpen = true;
        clock = clock with { StartedAt = opened.At };
        var baseMs = await context.Bookkeeping.SegmentOpenedAsync(Id, opened.AudioPath, opened.At);
        clock = new SegmentClock(baseMs, opened.At);
    }

    private async Task CloseSegmentAsync(SegmentClosed closed)
    {
        try
        {
            if (await context.Bookkeeping.SegmentClosedAsync(Id, closed.Recording) is { } endsAt)
            {
                clock = new SegmentClock(endsAt, null);
            }
        }
        finally
        {
            segmentOpen = false;
            segmentStored?.TrySetResult();
            segmentStored = null;
        }
    }

    /// <summary>The call ended (anywhere): give up its claim and hang up its legs here.</summary>
    private async Task EndAsync()
    {
        if (owned)
        {
            owned = false;
            context.Instance.CallEnded();
            await context.Ownership.ReleaseAsync(Id.ToString(), context.InstanceId);
            await context.Awareness.ForgetCallAsync(Id);
            publishedGrades = null;
            await context.Records.ForgetQualityAsync(Id);
        }

        HangUp(_ => true);
    }

    /// <summary>
    /// Hangs up the engine's legs of the call that <paramref name="which"/> picks, beside the loop: each BYE waits for
    /// the device, and the leaves come back to this mailbox.
    /// </summary>
    private void HangUp(Func<ConferenceLeg, bool> which)
    {
        var conferences = context.Conferences;
        var chosen = conferences.LegsOf(Id).Where(which).ToList();
        if (chosen.Count > 0)
        {
            _ = Beside(async () =>
            {
                foreach (var leg in chosen)
                {
                    await conferences.HangUpAsync(Id, leg.LegId);
                }
            });
        }
    }

    /// <summary>Rings every registered SIP device of <paramref name="userIds"/> into the call, beside the loop.</summary>
    private void Ring(IEnumerable<Guid> userIds)
    {
        if (!owned)
        {
            return;
        }

        foreach (var userId in userIds)
        {
            _ = Beside(() => RingUserAsync(userId, _ => true));
        }
    }

    /// <summary>
    /// A moved call's fallback (ADR 0710): rings the user's device (all of their devices without one) unless it is
    /// back in the call already; the gap since the move is logged when it joins.
    /// </summary>
    private void RingBack(RingBack back)
    {
        if (!owned)
        {
            return;
        }

        // An app that heard callMoved may have rejoined by itself meanwhile: do not ring a device that is back.
        var present = context.Conferences.LegsOf(Id).Where(l => l.UserId == back.UserId).Select(l => l.DeviceId).ToHashSet();
        _ = Beside(() => RingUserAsync(back.UserId, device => (back.DeviceId is null || device == back.DeviceId) && !present.Contains(device)));
    }

    private async Task RingUserAsync(Guid userId, Func<Guid?, bool> device)
    {
        var answered = await context.Conferences.RingAsync(Id, userId, device, stopping);
        LiveCallLog.Rang(context.Logger, Id.Value, userId, answered);
    }

    /// <summary>
    /// One heartbeat: renew the claim (a lost one hangs up the legs), end the call when it has been empty for the grace
    /// period, keep the legs' awareness alive and show legs on hold as muted. Every call's heartbeat runs on its own
    /// loop at the same moment, so one busy call does not delay the others' renewals.
    /// </summary>
    private async Task HeartbeatAsync()
    {
        if (!owned)
        {
            return;
        }

        if (!await RenewOrReclaimAsync())
        {
            owned = false;
            LiveCallLog.OwnershipLost(context.Logger, Id.Value);
            context.Instance.CallEnded();
            HangUp(_ => true);
            return;
        }

        var now = context.Time.GetUtcNow();
        var here = context.Conferences.LegsOf(Id);
        if (legs.Count > 0 || here.Count > 0)
        {
            emptySince = null;
        }
        else
        {
            emptySince ??= now;
            if (now - emptySince >= context.Options.EmptyCallGrace)
            {
                await context.Bookkeeping.EndEmptyAsync(Id, stopping);
            }
        }

        await context.Awareness.HeartbeatAsync([Id], [.. legs.Values]);
        await ShowHoldsAsync(here);
    }

    /// <summary>Legs on hold (or muted) show as muted in awareness, and as not muted once they are back.</summary>
    private async Task ShowHoldsAsync(IReadOnlyList<ConferenceLeg> here)
    {
        var onHold = here.Where(l => l.OnHold).Select(l => l.LegId).ToHashSet();
        foreach (var leg in legs.Values.Where(leg => onHold.Contains(leg.LegId) != leg.Muted))
        {
            leg.Muted = !leg.Muted;
            await context.Awareness.SetActivityAsync(leg);
        }
    }

    /// <summary>
    /// Renews this instance's claim. A claim that lapsed (a renewal came late: a stalled process, a slow Redis) while
    /// nobody else took it is claimed again rather than given up: its legs are still here and mixing.
    /// </summary>
    private async Task<bool> RenewOrReclaimAsync()
    {
        var key = Id.ToString();
        if (await context.Ownership.RenewAsync(key, context.InstanceId))
        {
            return true;
        }

        if (await context.Ownership.ClaimOrFindOwnerAsync(key, context.InstanceId) != context.InstanceId)
        {
            return false;
        }

        LiveCallLog.ClaimReclaimed(context.Logger, Id.Value);
        return true;
    }

    /// <summary>
    /// Call quality in the view (ADR 0901): each leg's RTCP figures into the ephemeral store, and callUpdated when a
    /// participant's grade changed, so clients see quality drop and recover without polling.
    /// </summary>
    private async Task ReportQualityAsync()
    {
        if (!owned)
        {
            return;
        }

        var now = context.Time.GetUtcNow();
        // By participant (user and device), as the view lists them.
        var figures = new Dictionary<(Guid UserId, Guid? DeviceId), MediaLegQuality>();
        foreach (var leg in legs.Values)
        {
            if (context.Conferences.QualityOf(Id, leg.LegId) is { Grade: not CallQualityGrade.Unknown } quality)
            {
                figures[(leg.UserId, leg.DeviceId)] = quality;
            }
        }

        if (figures.Count == 0)
        {
            return;
        }

        await context.Records.SetQualityAsync(Id, figures, now);
        var grades = figures.ToDictionary(f => f.Key, f => f.Value.Grade);
        var before = publishedGrades;
        if (before is null || before.Count != grades.Count || grades.Any(g => before.GetValueOrDefault(g.Key) != g.Value))
        {
            publishedGrades = grades;
            await context.Announcer.UpdatedAsync(Id);
        }
    }

    /// <summary>Runs work that waits on devices beside the loop; logs its failure, never throws.</summary>
    private async Task Beside(Func<Task> work)
    {
        try
        {
            await work();
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The host stops.
        }
        catch (Exception exception)
        {
            LiveCallLog.BookkeepingFailed(context.Logger, Id.ToString(), exception);
        }
    }

    /// <summary>Where this instance's recording of the call stands: the closed segments' length and when the live one started.</summary>
    private sealed record SegmentClock(long ClosedMs, DateTimeOffset? StartedAt)
    {
        public long OffsetAt(DateTimeOffset now) =>
            StartedAt is { } start ? ClosedMs + Math.Max(0, (long)(now - start).TotalMilliseconds) : ClosedMs;
    }
}
