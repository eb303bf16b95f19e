using Microsoft.EntityFrameworkCore;
using Talko.Core.Calls;
using Talko.Core.Instances;
using Talko.Core.Media.Recording;
using Talko.Server.Data;
using Talko.Server.Features.Calls.Entities;
using Talko.Server.Kernel;

namespace Talko.Server.Features.Calls;

/// <summary>
/// <see cref="ICallBookkeeping"/> over EF Core. The live calls outlive any request, so each operation works on a fresh
/// DbContext (or the archive or ender built on one) that <see cref="IScopedWork{TService}"/> gives it and disposes after:
/// the feature names what it needs and never opens a scope itself.
/// </summary>
internal sealed class EfCallBookkeeping(
    IScopedWork<TalkoDbContext> database,
    IScopedWork<CallRecordingArchive> archive,
    IScopedWork<CallEnder> ender,
    CallCommandBus commands,
    InstanceLifecycle lifecycle) : ICallBookkeeping
{
    public Task<Guid?> FindLiveAsync(CallId callId, CancellationToken cancellationToken) =>
        database.RunAsync(db => db.Set<Call>().AsNoTracking().Where(c => c.Id == callId.Value && c.EndedAt == null)
            .Select(c => (Guid?)c.ConversationId).SingleOrDefaultAsync(cancellationToken));

    public Task<IReadOnlyList<(CallId CallId, DateTime StartedAt)>> ListLiveAsync(int limit, CancellationToken cancellationToken) =>
        database.RunAsync<IReadOnlyList<(CallId, DateTime)>>(async db =>
        {
            var live = await db.Set<Call>().AsNoTracking().Where(c => c.EndedAt == null).OrderBy(c => c.StartedAt)
                .Select(c => new { c.Id, c.StartedAt }).Take(limit).ToListAsync(cancellationToken);
            return [.. live.Select(c => (new CallId(c.Id), c.StartedAt))];
        });

    public Task<CallAdoption> AdoptAsync(CallId callId, CancellationToken cancellationToken) =>
        archive.RunAsync(async archive =>
        {
            await archive.AwaitHandoverAsync(callId, cancellationToken);
            var previous = await archive.CloseOrphansAsync(callId, cancellationToken);
            return new CallAdoption(previous, await archive.ClosedLengthAsync(callId, cancellationToken));
        });

    public Task<Guid> JoinedAsync(CallId callId, LegJoined joined, DateTimeOffset at, long offsetMs)
    {
        var participant = new CallParticipant
        {
            Id = Guid.CreateVersion7(), CallId = callId.Value, UserId = joined.UserId, DeviceId = joined.DeviceId, LegId = joined.LegId.ToString(),
            InstanceId = lifecycle.InstanceId, JoinedAt = at.UtcDateTime, JoinOffsetMs = offsetMs,
        };
        return database.RunAsync(async db =>
        {
            db.Add(participant);
            await db.SaveChangesAsync();
            return participant.Id;
        });
    }

    public Task LeftAsync(Guid participantId, DateTimeOffset at, long? offsetMs) =>
        database.RunAsync(db => db.Set<CallParticipant>().Where(p => p.Id == participantId)
            .ExecuteUpdateAsync(set => set.SetProperty(p => p.LeftAt, at.UtcDateTime).SetProperty(p => p.LeaveOffsetMs, offsetMs)));

    public Task<long> ClampToClosedSegmentAsync(CallId callId, long offsetMs) =>
        archive.RunAsync(archive => archive.ClampToClosedSegmentAsync(callId, offsetMs));

    public Task<long> SegmentOpenedAsync(CallId callId, string wavPath, DateTimeOffset at) =>
        archive.RunAsync(archive => archive.OpenAsync(callId, wavPath, at));

    /// <summary>Stores the segment, then tells any instance adopting the call that waits for it (ADR 0623).</summary>
    public async Task<long?> SegmentClosedAsync(CallId callId, RecordingResult recording)
    {
        var endsAt = await archive.RunAsync(archive => archive.CloseAsync(callId, recording));
        await commands.PublishAsync(new SegmentStored(callId));
        return endsAt;
    }

    public Task EndEmptyAsync(CallId callId, CancellationToken cancellationToken) =>
        ender.RunAsync(ender => ender.EndAsync(callId.Value, CallEnder.EndedEmpty, cancellationToken));
}
