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
    /// legacy segments' PCM as it is, Ogg Opus segments decoded to 8 kHz.
    /// </summary>
    public static async Task<RecordingAudio> OpenAsync(
        TalkoDbContext db, IBlobStore blobs, OpusCodecs codecs, Guid callId, RecordingAudioForm form, CancellationToken cancellationToken)
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
                var joined = new OggOpusConcatStream([.. sources.Select(s => s.Stream)], SerialOf(callId), complete: !live);
                return new RecordingAudio(joined, RecordingFormat.OggOpus, live, joined.Duration > TimeSpan.Zero);
            }

            if (sources.All(s => s.Segment.Format == RecordingFormat.Wav))
            {
                var wav = new RecordingStream(WavSampleRate, [.. sources.Select(s => WavPart(s.Segment, s.Stream))]);
                return new RecordingAudio(wav, RecordingFormat.Wav, live, wav.Length > WavFormat.HeaderLength);
            }

            var decoded = await DecodeToWavAsync(sources, codecs, cancellationToken);
            foreach (var (_, stream) in sources)
            {
                await stream.DisposeAsync();
            }

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

    /// <summary>
    /// Decodes every segment into a temporary file (deleted when the returned stream is closed) behind one WAV header, so
    /// the WAV form has a length and byte ranges. Costs about 6 s of CPU per recorded hour; it is for tools, not players.
    /// </summary>
    private static async Task<Stream> DecodeToWavAsync(List<(RecordingSegment Segment, Stream Stream)> sources, OpusCodecs codecs, CancellationToken cancellationToken)
    {
        var file = new FileStream(
            Path.Combine(Path.GetTempPath(), $"talko-recording-{Guid.NewGuid():N}.wav"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024,
            FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            file.Position = WavFormat.HeaderLength;
            foreach (var (segment, stream) in sources)
            {
                if (segment.Format == RecordingFormat.Wav)
                {
                    var part = WavPart(segment, stream);
                    stream.Position = part.Start;
                    await new BoundedStream(stream, part.Length).CopyToAsync(file, cancellationToken);
                    continue;
                }

                var info = OggOpusSegment.Measure(stream);
                await OggOpusSegment.DecodeAsync(stream, info, codecs, WavSampleRate, samples =>
                {
                    file.Write(MemoryMarshal.AsBytes(samples.Span)); // buffered by the file stream
                    return Task.CompletedTask;
                }, cancellationToken);
            }

            var dataLength = file.Length - WavFormat.HeaderLength;
            var header = new byte[WavFormat.HeaderLength];
            WavFormat.WriteHeader(header, WavSampleRate, 1, dataLength);
            file.Position = 0;
            await file.WriteAsync(header, cancellationToken);
            await file.FlushAsync(cancellationToken);
            file.Position = 0;
            return file;
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
    }
}
