using Microsoft.EntityFrameworkCore;
using Talko.Core.Calls;
using Talko.Core.Instances;
using Talko.Core.Media.Recording;
using Talko.Server.Data;
using Talko.Server.Features.Calls.Entities;

namespace Talko.Server.Features.Calls;

/// <summary>
/// <see cref="ICallBookkeeping"/> over EF Core. The live calls outlive any request, so each operation runs in a scope of
/// its own (a fresh DbContext, the scoped archive and ender): this class is the one place in the feature that opens
/// scopes, and nothing outside it sees one.
/// </summary>
internal sealed class EfCallBookkeeping(IServiceScopeFactory scopes, InstanceLifecycle lifecycle) : ICallBookkeeping
{
    public async Task<Guid?> FindLiveAsync(CallId callId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await Db(scope).Set<Call>().AsNoTracking().Where(c => c.Id == callId.Value && c.EndedAt == null)
            .Select(c => (Guid?)c.ConversationId).SingleOrDefaultAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<(CallId CallId, DateTime StartedAt)>> ListLiveAsync(int limit, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var live = await Db(scope).Set<Call>().AsNoTracking().Where(c => c.EndedAt == null).OrderBy(c => c.StartedAt)
            .Select(c => new { c.Id, c.StartedAt }).Take(limit).ToListAsync(cancellationToken);
        return [.. live.Select(c => (new CallId(c.Id), c.StartedAt))];
    }

    public async Task<CallAdoption> AdoptAsync(CallId callId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var archive = Archive(scope);
        await archive.AwaitHandoverAsync(callId, cancellationToken);
        var previous = await archive.CloseOrphansAsync(callId, cancellationToken);
        return new CallAdoption(previous, await archive.ClosedLengthAsync(callId, cancellationToken));
    }

    public async Task<Guid> JoinedAsync(CallId callId, LegJoined joined, DateTimeOffset at, long offsetMs)
    {
        var participant = new CallParticipant
        {
            Id = Guid.CreateVersion7(), CallId = callId.Value, UserId = joined.UserId, DeviceId = joined.DeviceId, LegId = joined.LegId.ToString(),
            InstanceId = lifecycle.InstanceId, JoinedAt = at.UtcDateTime, JoinOffsetMs = offsetMs,
        };
        await using var scope = scopes.CreateAsyncScope();
        var db = Db(scope);
        db.Add(participant);
        await db.SaveChangesAsync();
        return participant.Id;
    }

    public async Task LeftAsync(Guid participantId, DateTimeOffset at, long? offsetMs)
    {
        await using var scope = scopes.CreateAsyncScope();
        await Db(scope).Set<CallParticipant>().Where(p => p.Id == participantId)
            .ExecuteUpdateAsync(set => set.SetProperty(p => p.LeftAt, at.UtcDateTime).SetProperty(p => p.LeaveOffsetMs, offsetMs));
    }

    public async Task<long> ClampToClosedSegmentAsync(CallId callId, long offsetMs)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await Archive(scope).ClampToClosedSegmentAsync(callId, offsetMs);
    }

    public async Task<long> SegmentOpenedAsync(CallId callId, string wavPath, DateTimeOffset at)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await Archive(scope).OpenAsync(callId, wavPath, at);
    }

    public async Task<long?> SegmentClosedAsync(CallId callId, RecordingResult recording)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await Archive(scope).CloseAsync(callId, recording);
    }

    public async Task EndEmptyAsync(CallId callId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<CallEnder>().EndAsync(callId.Value, CallEnder.EndedEmpty, cancellationToken);
    }

    private static TalkoDbContext Db(AsyncServiceScope scope) => scope.ServiceProvider.GetRequiredService<TalkoDbContext>();

    private static CallRecordingArchive Archive(AsyncServiceScope scope) => scope.ServiceProvider.GetRequiredService<CallRecordingArchive>();
}
