using Microsoft.EntityFrameworkCore;
using Talko.Core.Blobs;
using Talko.Server.Data;
using Talko.Server.Features.Calls.Entities;

namespace Talko.Server.Features.Calls;

/// <summary>A call's whole recording as one seekable WAV: for GET /v1/calls/{id}/recording and the conversation export.</summary>
internal static class CallRecordings
{
    /// <summary>The segments' PCM in order behind one WAV header; empty (header only) when nothing was recorded.</summary>
    public static async Task<RecordingStream> OpenAsync(TalkoDbContext db, IBlobStore blobs, Guid callId, CancellationToken cancellationToken)
    {
        var segments = await db.Set<RecordingSegment>().AsNoTracking().Where(s => s.CallId == callId).OrderBy(s => s.Index).ToListAsync(cancellationToken);
        var parts = new List<RecordingStream.Part>();
        foreach (var segment in segments)
        {
            if (segment is { State: SegmentState.Complete, BlobId: { } blobId, DataBytes: > 0 }
                && await blobs.OpenReadAsync(blobId, cancellationToken) is { } blob)
            {
                parts.Add(new RecordingStream.Part(blob, Talko.Core.Media.Recording.WavFormat.HeaderLength, segment.DataBytes.Value));
            }
            else if (segment.State == SegmentState.Recording && File.Exists(segment.LocalPath))
            {
                // Live: as far as it is written now. Reachable from other instances only on a shared volume (ADR 0602).
                var file = new FileStream(segment.LocalPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                var length = Math.Max(0, (file.Length - Talko.Core.Media.Recording.WavFormat.HeaderLength) & ~1L);
                parts.Add(new RecordingStream.Part(file, Talko.Core.Media.Recording.WavFormat.HeaderLength, length));
            }
        }

        return new RecordingStream(Talko.Core.Media.Codecs.G711.SampleRate, parts);
    }
}
