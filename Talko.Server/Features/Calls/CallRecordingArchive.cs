using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Talko.Core.Blobs;
using Talko.Core.Calls;
using Talko.Core.Instances;
using Talko.Core.Media.Recording;
using Talko.Server.Data;
using Talko.Server.Features.Calls.Entities;

namespace Talko.Server.Features.Calls;

/// <summary>
/// The recording's segment index (ADR 0601): a row when this instance's recording of a call opens, the audio into the blob
/// store and the talker timeline into the row when it closes; on adoption, waiting for a live previous owner to close its
/// own segment (ADR 0623) and closing a dead owner's from its file.
/// </summary>
public sealed class CallRecordingArchive(
    TalkoDbContext db,
    IBlobStore blobs,
    InstanceLifecycle lifecycle,
    InstanceLiveness liveness,
    SegmentStoredSignals stored,
    IOptions<CallsOptions> options,
    TimeProvider time,
    ILogger<CallRecordingArchive> logger)
{
    private string InstanceId => lifecycle.InstanceId;

    /// <summary>Indexes the segment this instance started recording; returns its base offset (the closed segments' length).</summary>
    public async Task<long> OpenAsync(CallId callId, string audioPath, DateTimeOffset startedAt)
    {
        var segments = db.Set<RecordingSegment>().Where(s => s.CallId == callId.Value);
        var index = await segments.AnyAsync() ? await segments.MaxAsync(s => s.Index) + 1 : 0;
        var baseMs = await segments.Where(s => s.State != SegmentState.Recording).SumAsync(s => s.DurationMs ?? 0);
        db.Add(new RecordingSegment
        {
            Id = Guid.CreateVersion7(), CallId = callId.Value, Index = index, InstanceId = InstanceId, State = SegmentState.Recording,
            StartedAt = startedAt.UtcDateTime, BaseOffsetMs = baseMs, LocalPath = audioPath, Format = RecordingFormats.FromPath(audioPath),
        });
        await db.SaveChangesAsync();
        return baseMs;
    }

    /// <summary>
    /// Stores the segment this instance's recording closed; returns where the call's recording now ends, or null when
    /// an adopter had closed it already (then only its talker timeline is added).
    /// </summary>
    public async Task<long?> CloseAsync(CallId callId, RecordingResult recording)
    {
        try
        {
            var talkers = recording.Segments.Select(s => new TalkerSpurt(s.LegId, s.StartMs, s.EndMs)).ToList();
            var segment = await db.Set<RecordingSegment>().SingleOrDefaultAsync(s => s.LocalPath == recording.AudioPath && s.State == SegmentState.Recording);
            if (segment is null)
            {
                // An adopter that gave up waiting (ADR 0610) closed it from the file; its length is what later segments
                // are based on, so only the talker timeline, which only this instance has, is added, cut to that length
                // (the adopter copied the file as far as it had been written).
                var closed = await db.Set<RecordingSegment>()
                    .SingleOrDefaultAsync(s => s.LocalPath == recording.AudioPath && s.InstanceId == InstanceId && s.State != SegmentState.Recording && s.TalkersJson == null);
                if (closed is not null)
                {
                    var length = closed.DurationMs ?? 0;
                    var kept = talkers.Where(t => t.StartMs < length).Select(t => t with { EndMs = Math.Min(t.EndMs, length) }).ToList();
                    closed.TalkersJson = JsonSerializer.Serialize(kept, CallsJson.Default.ListTalkerSpurt);
                    await db.SaveChangesAsync();
                }

                return null;
            }

            await StoreAsync(segment, recording.AudioPath, JsonSerializer.Serialize(talkers, CallsJson.Default.ListTalkerSpurt));
            await db.SaveChangesAsync();
            return segment.BaseOffsetMs + (segment.DurationMs ?? 0);
        }
        finally
        {
            TryDelete(recording.AudioPath);
            TryDelete(recording.TimelinePath);
        }
    }

    /// <summary>Whether this instance's recording of the call is still open (its segment not yet stored).</summary>
    public Task<bool> IsOpenHereAsync(CallId callId) =>
        db.Set<RecordingSegment>().AnyAsync(s => s.CallId == callId.Value && s.InstanceId == InstanceId && s.State == SegmentState.Recording);

    /// <summary>
    /// A leg that lingers after its call moved away (a transfer being answered) cannot leave past this instance's
    /// segment once the new owner has closed it: what was mixed here after that is not in the recording.
    /// </summary>
    public async Task<long> ClampToClosedSegmentAsync(CallId callId, long offset)
    {
        var end = await db.Set<RecordingSegment>()
            .Where(s => s.CallId == callId.Value && s.InstanceId == InstanceId && s.State != SegmentState.Recording && s.DurationMs != null)
            .OrderByDescending(s => s.Index)
            .Select(s => (long?)(s.BaseOffsetMs + s.DurationMs!.Value))
            .FirstOrDefaultAsync();
        return end is { } closedAt ? Math.Min(offset, closedAt) : offset;
    }

    /// <summary>The closed segments' length: where a recording opened now would start.</summary>
    public Task<long> ClosedLengthAsync(CallId callId, CancellationToken cancellationToken) =>
        db.Set<RecordingSegment>().Where(s => s.CallId == callId.Value && s.State != SegmentState.Recording).SumAsync(s => s.DurationMs ?? 0, cancellationToken);

    /// <summary>
    /// A previous owner that is still alive (it handed the call over in a drain move) closes its own segment, with the
    /// talker timeline only it holds, moments after its legs are hung up: wait for that (up to
    /// <see cref="CallsOptions.HandoverWait"/>) rather than close the segment from its file without talkers (ADR 0623).
    /// It says so with <see cref="SegmentStored"/> after its commit; each piece of news, and the end of the wait, sends
    /// this back to the database to see what is still open. An owner found gone (<see cref="InstanceLiveness"/>: it
    /// died, nobody else will close it) is not waited for; one that dies during the wait is waited out, as is news that
    /// Redis dropped, and its segment then closed from its file.
    /// </summary>
    public async Task AwaitHandoverAsync(CallId callId, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        HashSet<string> awaited = new(StringComparer.Ordinal);
        while (true)
        {
            // Watching before looking: a segment stored after the look still wakes the wait below.
            using var watch = stored.Start(callId);
            var openElsewhere = await db.Set<RecordingSegment>().AsNoTracking()
                .Where(s => s.CallId == callId.Value && s.State == SegmentState.Recording && s.InstanceId != InstanceId)
                .Select(s => s.InstanceId).Distinct().ToListAsync(cancellationToken);
            var alive = new List<string>();
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
                    CallsLog.HandoverAwaited(logger, callId.Value, string.Join(",", awaited), (long)elapsed.TotalMilliseconds, openElsewhere.Count == 0);
                }

                return;
            }

            try
            {
                await watch.Stored.WaitAsync(options.Value.HandoverWait - elapsed, time, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Looked at once more above, then given up.
            }
        }
    }

    /// <summary>
    /// Closes segments a dead owner left open (its file, if this instance can reach it, goes into the blob store as it
    /// was cut off) and marks its participants left. Returns the previous owner, if another instance.
    /// </summary>
    public async Task<string?> CloseOrphansAsync(CallId callId, CancellationToken cancellationToken)
    {
        var orphans = await db.Set<RecordingSegment>().Where(s => s.CallId == callId.Value && s.State == SegmentState.Recording && s.InstanceId != InstanceId)
            .OrderBy(s => s.Index).ToListAsync(cancellationToken);
        foreach (var orphan in orphans)
        {
            await StoreAsync(orphan, orphan.LocalPath, null);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var stale = await db.Set<CallParticipant>().Where(p => p.CallId == callId.Value && p.LeftAt == null && p.InstanceId != InstanceId).ToListAsync(cancellationToken);
        foreach (var participant in stale)
        {
            participant.LeftAt = now;
        }

        await db.SaveChangesAsync(cancellationToken);
        var previous = orphans.Select(o => o.InstanceId).Concat(stale.Select(p => p.InstanceId)).FirstOrDefault()
            ?? await db.Set<RecordingSegment>().Where(s => s.CallId == callId.Value).OrderByDescending(s => s.Index).Select(s => s.InstanceId).FirstOrDefaultAsync(cancellationToken);
        return previous == InstanceId ? null : previous;
    }

    /// <summary>
    /// Copies the segment's file into the blob store and marks it complete (or lost when its file is gone). A file cut off
    /// by its owner's death is taken as far as it is whole: the WAV's last whole sample, the Ogg Opus file's last whole
    /// page (its length and duration then come from that page, not from the header the owner never finished).
    /// </summary>
    private async Task StoreAsync(RecordingSegment segment, string path, string? talkersJson)
    {
        segment.ClosedAt = time.GetUtcNow().UtcDateTime;
        segment.TalkersJson = talkersJson;
        if (!File.Exists(path))
        {
            segment.State = SegmentState.Lost;
            segment.DurationMs = 0;
            segment.DataBytes = 0;
        }
        else
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            long storedBytes, dataBytes, durationMs;
            if (segment.Format == RecordingFormat.OggOpus)
            {
                var info = OggOpusSegment.Measure(file);
                file.Position = 0;
                storedBytes = dataBytes = info.WholeLength;
                durationMs = info.Samples * 1000 / Talko.Core.Media.Codecs.Opus.OpusFormat.SampleRate;
            }
            else
            {
                dataBytes = Math.Max(0, (file.Length - WavFormat.HeaderLength) & ~1L);
                storedBytes = WavFormat.HeaderLength + dataBytes;
                durationMs = dataBytes / 2 * 1000 / Talko.Core.Media.Codecs.G711.SampleRate;
            }

            var stored = await blobs.PutAsync(new BoundedStream(file, storedBytes), options.Value.MaxSegmentBytes);
            segment.State = SegmentState.Complete;
            segment.BlobId = stored.Id;
            segment.DataBytes = dataBytes;
            segment.DurationMs = durationMs;
        }

        CallsLog.SegmentClosed(logger, segment.CallId, segment.Index, segment.DurationMs ?? 0, segment.State.ToString());
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
}
