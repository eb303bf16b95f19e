using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Talko.Core.Calls;
using Talko.Core.Ephemeral;
using Talko.Server.Data;
using Talko.Server.Features.Calls.Entities;

namespace Talko.Server.Features.Calls;

/// <summary>Reads a call as the API shows it: its row, participants, talkers and quality (ephemeral), owner and recorded length.</summary>
public sealed class CallReader(
    TalkoDbContext db,
    IEphemeralStore store,
    KeySpace keys,
    CallOwnership ownership,
    LiveCalls owned,
    TimeProvider time,
    IOptions<CallsOptions> options)
{
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
        var key = new CallId(callId).ToString();
        var talking = call.EndedAt is null
            ? (await store.SetMembersAsync(keys.CallTalking(key))).Select(Guid.Parse).ToHashSet()
            : [];
        var owner = call.EndedAt is null ? await ownership.FindOwnerAsync(key) : null;
        var quality = call.EndedAt is null ? CallQualityRecords.Read(await store.GetAsync(keys.CallQuality(key))) : new Dictionary<string, CallQualityView>();
        return new CallView(
            call.Id, call.ConversationId, call.EndedAt is null ? "live" : "ended", call.StartedBy, Utc(call.StartedAt), call.EndedAt is { } ended ? Utc(ended) : null,
            call.EndReason,
            [.. participants.Select(p => new CallParticipantView(p.UserId, p.DeviceId, Utc(p.JoinedAt), p.JoinOffsetMs, talking.Contains(p.UserId),
                Quality: quality.GetValueOrDefault(CallQualityRecords.Key(p.UserId, p.DeviceId))))],
            [.. talking],
            owner,
            await RecordedMsAsync(callId, cancellationToken),
            [.. left.Select(p => new CallParticipantView(p.UserId, p.DeviceId, Utc(p.JoinedAt), p.JoinOffsetMs, false, Utc(p.LeftAt!.Value)))]);
    }

    /// <summary>Closed segments' length plus the live segment's so far (from memory on the owner, else from its row).</summary>
    public async Task<long> RecordedMsAsync(Guid callId, CancellationToken cancellationToken)
    {
        if (owned.CurrentOffsetMs(callId) is { } here)
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
