using System.Buffers.Binary;
using System.Text;

namespace Talko.Core.Conversations.Media;

/// <summary>
/// Reads the duration of a stored voice clip from its container, checking on the way that the content
/// really is what its first bytes claim. Reads only headers and the tail, never the whole file.
/// </summary>
public static class AudioProbe
{
    /// <summary>Ogg pages are at most 65,307 bytes (RFC 3533 section 6), so the last one starts within this tail.</summary>
    private const int OggTailBytes = 65_536 + 4096;

    private const int MaxBoxDepth = 8;

    /// <summary>The duration, or an error saying why the content is not a valid clip of <paramref name="format"/>.</summary>
    public static async Task<AudioProbeResult> ProbeAsync(Stream seekable, MediaFormat format, CancellationToken cancellationToken = default)
    {
        if (!seekable.CanSeek)
        {
            throw new ArgumentException("The stream must be seekable.", nameof(seekable));
        }

        try
        {
            return format switch
            {
                MediaFormat.Wav => await ProbeWavAsync(seekable, cancellationToken),
                MediaFormat.OggOpus => await ProbeOggOpusAsync(seekable, cancellationToken),
                MediaFormat.M4a => await ProbeM4aAsync(seekable, cancellationToken),
                _ => AudioProbeResult.Invalid("The content is not WAV, Ogg/Opus or M4A audio."),
            };
        }
        catch (EndOfStreamException)
        {
            return AudioProbeResult.Invalid($"The {format} content is truncated.");
        }
    }

    /// <summary>
    /// RIFF chunks: 'fmt ' describes the samples (checked by <see cref="WavSampleFormat"/>), 'data' holds them. The
    /// duration is the sample frames actually present, so a header cannot claim more than the file holds.
    /// </summary>
    private static async Task<AudioProbeResult> ProbeWavAsync(Stream stream, CancellationToken cancellationToken)
    {
        stream.Position = 12;
        var chunkHeader = new byte[8];
        WavSampleFormat? format = null;
        while (stream.Position + 8 <= stream.Length)
        {
            await stream.ReadExactlyAsync(chunkHeader, cancellationToken);
            var id = Encoding.Latin1.GetString(chunkHeader, 0, 4);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(chunkHeader.AsSpan(4));
            if (id == "fmt ")
            {
                if (size < 16)
                {
                    return AudioProbeResult.Invalid("The WAV format chunk is too short.");
                }

                var fmt = new byte[16];
                await stream.ReadExactlyAsync(fmt, cancellationToken);
                format = WavSampleFormat.Read(fmt);
                if (format.Problem() is { } problem)
                {
                    return AudioProbeResult.Invalid(problem);
                }

                stream.Position += size - 16 + (size & 1);
            }
            else if (id == "data")
            {
                if (format is null)
                {
                    return AudioProbeResult.Invalid("The WAV file has no format chunk before its data.");
                }

                // Recorders that stream a WAV may leave the size unset (0 or 0xFFFFFFFF): the data runs to the end.
                var available = stream.Length - stream.Position;
                var streamed = size is 0 or uint.MaxValue;
                if (!streamed && size > available)
                {
                    return AudioProbeResult.Invalid($"The WAV data is truncated: {size} bytes declared, {available} present.");
                }

                var dataBytes = streamed ? available : size;
                var frames = dataBytes / format.BlockAlign;
                if (frames == 0)
                {
                    return AudioProbeResult.Invalid("The WAV file holds no samples.");
                }

                if (!streamed && dataBytes % format.BlockAlign != 0)
                {
                    return AudioProbeResult.Invalid($"The WAV data ends inside a sample frame ({format.BlockAlign} bytes each).");
                }

                return AudioProbeResult.Valid(TimeSpan.FromSeconds((double)frames / format.SampleRate));
            }
            else
            {
                stream.Position += size + (size & 1);
            }
        }

        return AudioProbeResult.Invalid("The WAV file has no data chunk.");
    }

    /// <summary>
    /// RFC 7845: duration = last page's granule position minus the pre-skip, at 48 kHz (section 4.2,
    /// section 5.1 for the pre-skip field).
    /// </summary>
    private static async Task<AudioProbeResult> ProbeOggOpusAsync(Stream stream, CancellationToken cancellationToken)
    {
        var head = new byte[47];
        stream.Position = 0;
        await stream.ReadExactlyAsync(head, cancellationToken);
        if (head[36] is 0 or > 15)
        {
            return AudioProbeResult.Invalid("The Opus identification header has an unsupported version.");
        }

        var preSkip = BinaryPrimitives.ReadUInt16LittleEndian(head.AsSpan(38));
        var tailLength = (int)Math.Min(stream.Length, OggTailBytes);
        var tail = new byte[tailLength];
        stream.Position = stream.Length - tailLength;
        await stream.ReadExactlyAsync(tail, cancellationToken);
        for (var offset = tailLength - 27; offset >= 0; offset--)
        {
            if (tail[offset] == 'O' && tail[offset + 1] == 'g' && tail[offset + 2] == 'g' && tail[offset + 3] == 'S' && tail[offset + 4] == 0)
            {
                var granule = BinaryPrimitives.ReadInt64LittleEndian(tail.AsSpan(offset + 6));
                if (granule < 0)
                {
                    continue; // -1: no packet ends on this page; look further back.
                }

                var samples = Math.Max(0, granule - preSkip);
                return AudioProbeResult.Valid(TimeSpan.FromSeconds(samples / 48_000.0));
            }
        }

        return AudioProbeResult.Invalid("The Ogg stream has no page with a granule position.");
    }

    /// <summary>
    /// ISO/IEC 14496-12: the movie header (moov/mvhd, section 8.2.2) gives the duration; a track whose
    /// handler is 'soun' with an 'mp4a' (AAC) or 'Opus' sample entry makes it audio. A fragmented file, as browsers'
    /// MediaRecorder writes it, has no duration in mvhd: then the movie extends header (mehd) gives it, or else the
    /// sum of its fragments' sample durations (moof/traf/trun, section 8.8) in the track's timescale (mdhd).
    /// </summary>
    private static async Task<AudioProbeResult> ProbeM4aAsync(Stream stream, CancellationToken cancellationToken)
    {
        var found = new Mp4Findings();
        await WalkBoxesAsync(stream, 0, stream.Length, depth: 0, found, cancellationToken);
        if (found.Duration is null)
        {
            return AudioProbeResult.Invalid("The MP4 file has no movie header (moov/mvhd).");
        }

        if (!found.HasSoundTrack || !found.HasAudioCodec)
        {
            return AudioProbeResult.Invalid("The MP4 file holds no AAC or Opus audio track.");
        }

        if (found.Duration == TimeSpan.Zero)
        {
            found.Duration = found.FragmentDuration ?? (found.TrackTimescale is > 0 ? TimeSpan.FromSeconds((double)found.FragmentTicks / found.TrackTimescale.Value) : TimeSpan.Zero);
        }

        if (found.HasVideoTrack)
        {
            return AudioProbeResult.Invalid("The MP4 file holds video; a voice clip must be audio only.");
        }

        return AudioProbeResult.Valid(found.Duration.Value);
    }

    private static readonly HashSet<string> ContainerBoxes = ["moov", "trak", "mdia", "minf", "stbl", "mvex", "moof", "traf"];

    /// <summary>A fragment header or run larger than this is not a voice clip's (a run of 60,000 samples is ~1 MB).</summary>
    private const long MaxFragmentBoxBytes = 1 << 20;

    private static async Task WalkBoxesAsync(Stream stream, long start, long end, int depth, Mp4Findings found, CancellationToken cancellationToken)
    {
        if (depth > MaxBoxDepth)
        {
            return;
        }

        var header = new byte[16];
        var position = start;
        while (position + 8 <= end)
        {
            stream.Position = position;
            await stream.ReadExactlyAsync(header.AsMemory(0, 8), cancellationToken);
            long size = BinaryPrimitives.ReadUInt32BigEndian(header);
            var type = Encoding.Latin1.GetString(header, 4, 4);
            var headerLength = 8L;
            if (size == 1)
            {
                await stream.ReadExactlyAsync(header.AsMemory(8, 8), cancellationToken);
                size = BinaryPrimitives.ReadInt64BigEndian(header.AsSpan(8));
                headerLength = 16;
            }
            else if (size == 0)
            {
                size = end - position;
            }

            if (size < headerLength || position + size > end)
            {
                throw new EndOfStreamException();
            }

            var body = position + headerLength;
            var bodyLength = size - headerLength;
            if (ContainerBoxes.Contains(type))
            {
                await WalkBoxesAsync(stream, body, body + bodyLength, depth + 1, found, cancellationToken);
            }
            else if (type == "mvhd")
            {
                (found.MovieTimescale, var duration) = await ReadTimescaleAndDurationAsync(stream, body, bodyLength, cancellationToken);
                found.Duration = found.MovieTimescale == 0 ? null : TimeSpan.FromSeconds((double)duration / found.MovieTimescale);
            }
            else if (type == "mdhd")
            {
                found.TrackTimescale = (await ReadTimescaleAndDurationAsync(stream, body, bodyLength, cancellationToken)).Timescale;
            }
            else if (type is "mehd" or "tfhd" or "trun" && bodyLength <= MaxFragmentBoxBytes)
            {
                var fields = new byte[bodyLength];
                stream.Position = body;
                await stream.ReadExactlyAsync(fields, cancellationToken);
                Mp4Fragments.Read(type, fields, found);
            }
            else if (type == "hdlr" && bodyLength >= 12)
            {
                var handler = new byte[12];
                stream.Position = body;
                await stream.ReadExactlyAsync(handler, cancellationToken);
                var handlerType = Encoding.Latin1.GetString(handler, 8, 4);
                found.HasSoundTrack |= handlerType == "soun";
                found.HasVideoTrack |= handlerType == "vide";
            }
            else if (type == "stsd" && bodyLength >= 16)
            {
                var entry = new byte[16];
                stream.Position = body;
                await stream.ReadExactlyAsync(entry, cancellationToken);
                found.HasAudioCodec |= Encoding.Latin1.GetString(entry, 12, 4) is "mp4a" or "Opus";
            }

            position += size;
        }
    }

    /// <summary>mvhd and mdhd share their layout up to the duration (section 8.2.2 and 8.4.2).</summary>
    private static async Task<(uint Timescale, ulong Duration)> ReadTimescaleAndDurationAsync(Stream stream, long body, long length, CancellationToken cancellationToken)
    {
        var fields = new byte[Math.Min(length, 32)];
        stream.Position = body;
        await stream.ReadExactlyAsync(fields, cancellationToken);
        var version = fields[0];
        return version == 1 && fields.Length >= 32
            ? (BinaryPrimitives.ReadUInt32BigEndian(fields.AsSpan(20)), BinaryPrimitives.ReadUInt64BigEndian(fields.AsSpan(24)))
            : fields.Length >= 20
                ? (BinaryPrimitives.ReadUInt32BigEndian(fields.AsSpan(12)), BinaryPrimitives.ReadUInt32BigEndian(fields.AsSpan(16)))
                : (0u, 0ul);
    }
}

public sealed record AudioProbeResult(TimeSpan? Duration, string? Error)
{
    public bool IsValid => Error is null;

    public static AudioProbeResult Valid(TimeSpan duration) => new(duration, null);

    public static AudioProbeResult Invalid(string error) => new(null, error);
}
