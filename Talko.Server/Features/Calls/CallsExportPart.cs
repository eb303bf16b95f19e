using System.IO.Compression;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Talko.Core.Blobs;
using Talko.Core.Media.Codecs.Opus;
using Talko.Server.Data;
using Talko.Server.Features.Calls.Entities;
using Talko.Server.Features.Conversations;

namespace Talko.Server.Features.Calls;

/// <summary>One call in an export: when, who started it, its recording's entry in the zip (null when nothing was recorded) and its timeline.</summary>
public sealed record ExportedCall(Guid CallId, Guid StartedBy, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, string? Recording, CallTimelineView Timeline);

/// <summary>
/// The calls of an exported conversation: calls.json (each call with its timeline of talkers, joins, leaves and
/// moments) and calls/{callId}.opus (or .wav for calls recorded before Ogg Opus), the whole recording as
/// GET /v1/calls/{id}/recording serves it.
/// </summary>
internal sealed class CallsExportPart(TalkoDbContext db, IBlobStore blobs, OpusCodecs codecs, CallService calls, IOptions<JsonOptions> json) : IConversationExportPart
{
    public async Task AddAsync(ZipArchive zip, Guid conversationId, CancellationToken cancellationToken)
    {
        var rows = await db.Set<Call>().AsNoTracking().Where(c => c.ConversationId == conversationId).OrderBy(c => c.StartedAt).ToListAsync(cancellationToken);
        var exported = new List<ExportedCall>();
        foreach (var call in rows)
        {
            string? recording = null;
            var audio = await CallRecordings.OpenAsync(db, blobs, codecs, null, call.Id, RecordingAudioForm.Stored, cancellationToken);
            await using (audio.Content)
            {
                if (audio.HasAudio)
                {
                    recording = $"calls/{call.Id}{audio.Extension}";
                    // Opus does not compress further, and a long WAV is large: stored as it is, like the other media.
                    await using var entry = await zip.CreateEntry(recording, CompressionLevel.NoCompression).OpenAsync(cancellationToken);
                    await audio.Content.CopyToAsync(entry, cancellationToken);
                }
            }

            exported.Add(new ExportedCall(call.Id, call.StartedBy, Utc(call.StartedAt), call.EndedAt is { } ended ? Utc(ended) : null, recording,
                await CallTimelines.BuildAsync(db, calls, call.Id, cancellationToken)));
        }

        await using var file = await zip.CreateEntry("calls.json", CompressionLevel.Optimal).OpenAsync(cancellationToken);
        await JsonSerializer.SerializeAsync(file, exported, json.Value.SerializerOptions, cancellationToken);
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
