using System.Runtime.InteropServices;
using Microsoft.EntityFrameworkCore;
using Talko.Core.Blobs;
using Talko.Core.Media.Codecs.Opus;
using Talko.Core.Media.Recording;
using Talko.Server.Data;
using Talko.Server.Features.Calls.Entities;

namespace Talko.Server.Features.Calls;

/// <summary>The form a caller asks a recording in: the stored one (Ogg Opus, or WAV for calls recorded before it) or WAV for tools.</summary>
internal enum RecordingAudioForm
{
    Stored,
    Wav,
}

/// <summary>A call's whole recording, opened: seekable content of a fixed length (a snapshot while <see cref="Live"/>).</summary>
internal sealed record RecordingAudio(Stream Content, RecordingFormat Format, bool Live, bool HasAudio)
{
    public string ContentType => Format == RecordingFormat.OggOpus ? "audio/ogg; codecs=opus" : "audio/wav";

    public string Extension => Format == RecordingFormat.OggOpus ? ".opus" : ".wav";
}

/// <summary>A call's whole recording as one seekable stream: for GET /v1/calls/{id}/recording and the conversation export.</summary>
internal static class CallRecordings
{
    /// <summary>Rate of the WAV form: 8 kHz, as every WAV Talko served before Ogg Opus, so tools see no change (ADR 0812).</summary>
    public const int WavSampleRate = 8000;

    /// <summary>
    /// Opens the recording over all segments in order. Stored form: one Ogg Opus stream remuxed from the segments' pages
    /// when every segment is Ogg Opus, else (a call recorded, at least partly, before Ogg Opus) the WAV form. The WAV form:
    /// legacy segments' PCM as it is, Ogg Opus segments decoded to 8 kHz as the bytes are read. Ogg Opus segments' page
    /// indexes come from <paramref name="indexes"/> when given (requests of players), else are read afresh (an export).
    /// </summary>
    public static async Task<RecordingAudio> OpenAsync(
        TalkoDbContext db, IBlobStore blobs, OpusCodecs codecs, RecordingIndexCache? indexes, Guid callId, RecordingAudioForm form,
        CancellationToken cancellationToken)
    {
        var segments = await db.Set<RecordingSegment>().AsNoTracking().Where(s => s.CallId == callId).OrderBy(s => s.Index).ToListAsync(cancellationToken);
        var live = segments.Any(s => s.State == SegmentState.Recording);
        var sources = new List<(RecordingSegment Segment, Stream Stream)>();
        try
        {
            foreach (var segment in segments)
            {
                if (segment is { State: SegmentState.Complete, BlobId: { } blobId, DataBytes: > 0 }
                    && await blobs.OpenReadAsync(blobId, cancellationToken) is { } blob)
                {
                    sources.Add((segment, blob));
                }
                else if (segment.State == SegmentState.Recording && File.Exists(segment.LocalPath))
                {
                    // Live: as far as it is written now. Reachable from other instances only on a shared volume (ADR 0602).
                    sources.Add((segment, new FileStream(segment.LocalPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete)));
                }
            }

            if (form == RecordingAudioForm.Stored && sources.All(s => s.Segment.Format == RecordingFormat.OggOpus))
            {
                var joined = new OggOpusConcatStream(
                    [.. sources.Select(s => s.Stream)], [.. sources.Select(s => Index(indexes, s.Segment, s.Stream))], SerialOf(callId), complete: !live);
                return new RecordingAudio(joined, RecordingFormat.OggOpus, live, joined.Duration > TimeSpan.Zero);
            }

            if (sources.All(s => s.Segment.Format == RecordingFormat.Wav))
            {
                var wav = new RecordingStream(WavSampleRate, [.. sources.Select(s => WavPart(s.Segment, s.Stream))]);
                return new RecordingAudio(wav, RecordingFormat.Wav, live, wav.Length > WavFormat.HeaderLength);
            }

            // Decoded as it is sent, behind a header computed from the segments' known lengths (ADR 0813).
            var decoded = new DecodedWavStream([.. sources.Select(s => s.Segment.Format == RecordingFormat.Wav
                ? (DecodedWavStream.Part)PcmPart(s.Segment, s.Stream)
                : new DecodedWavStream.Part.Opus(s.Stream, Index(indexes, s.Segment, s.Stream)))], codecs, WavSampleRate);
            return new RecordingAudio(decoded, RecordingFormat.Wav, live, decoded.Length > WavFormat.HeaderLength);
        }
        catch
        {
            foreach (var (_, stream) in sources)
            {
                await stream.DisposeAsync();
            }

            throw;
        }
    }

    private static OggOpusSegmentInfo Index(RecordingIndexCache? indexes, RecordingSegment segment, Stream stream)
    {
        var live = segment.State == SegmentState.Recording;
        return indexes is null
            ? OggOpusSegment.Measure(stream)
            : indexes.Get(segment.CallId, segment.Index, live ? "file:" + segment.LocalPath : "blob:" + segment.BlobId, live, stream);
    }

    private static DecodedWavStream.Part.Pcm PcmPart(RecordingSegment segment, Stream stream)
    {
        var part = WavPart(segment, stream);
        return new DecodedWavStream.Part.Pcm(part.Source, part.Start, part.Length);
    }

    /// <summary>
    /// The same serial number for every request of one call, so byte ranges fetched at different times (a live recording
    /// read as it grows) fit together.
    /// </summary>
    private static uint SerialOf(Guid callId)
    {
        Span<byte> bytes = stackalloc byte[16];
        callId.TryWriteBytes(bytes);
        var words = MemoryMarshal.Cast<byte, uint>(bytes);
        return words[0] ^ words[1] ^ words[2] ^ words[3];
    }

    private static RecordingStream.Part WavPart(RecordingSegment segment, Stream stream)
    {
        var length = segment.State == SegmentState.Complete
            ? segment.DataBytes!.Value
            : Math.Max(0, (stream.Length - WavFormat.HeaderLength) & ~1L);
        return new RecordingStream.Part(stream, WavFormat.HeaderLength, length);
    }
}
