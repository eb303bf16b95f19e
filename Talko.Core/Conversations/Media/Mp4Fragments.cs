using System.Buffers.Binary;

namespace Talko.Core.Conversations.Media;

/// <summary>What the MP4 probe learns from a file's boxes, including the duration a fragmented file spreads over its fragments.</summary>
internal sealed class Mp4Findings
{
    public TimeSpan? Duration { get; set; }

    public uint MovieTimescale { get; set; }

    public uint? TrackTimescale { get; set; }

    /// <summary>From the movie extends header (mehd), in the movie's timescale.</summary>
    public TimeSpan? FragmentDuration { get; set; }

    /// <summary>Sum of the fragments' sample durations, in the track's timescale.</summary>
    public ulong FragmentTicks { get; set; }

    public uint DefaultSampleDuration { get; set; }

    public bool HasSoundTrack { get; set; }

    public bool HasVideoTrack { get; set; }

    public bool HasAudioCodec { get; set; }
}

/// <summary>
/// The fragment boxes of ISO/IEC 14496-12 section 8.8 that carry time: mehd (the whole duration, when the writer knew
/// it), tfhd (a fragment's default sample duration) and trun (each run's samples). A run that claims more samples than
/// its box holds ends the probe as malformed.
/// </summary>
internal static class Mp4Fragments
{
    private const uint DefaultSampleDurationPresent = 0x000008;
    private const uint DataOffsetPresent = 0x000001;
    private const uint FirstSampleFlagsPresent = 0x000004;
    private const uint SampleDurationPresent = 0x000100;
    private const uint SampleSizePresent = 0x000200;
    private const uint SampleFlagsPresent = 0x000400;
    private const uint SampleCompositionOffsetPresent = 0x000800;

    public static void Read(string type, ReadOnlySpan<byte> box, Mp4Findings found)
    {
        if (box.Length < 8)
        {
            throw new EndOfStreamException();
        }

        var version = box[0];
        var flags = BinaryPrimitives.ReadUInt32BigEndian(box) & 0xFFFFFF;
        switch (type)
        {
            case "mehd":
                var duration = version == 1 && box.Length >= 12 ? BinaryPrimitives.ReadUInt64BigEndian(box[4..]) : BinaryPrimitives.ReadUInt32BigEndian(box[4..]);
                if (duration > 0 && found.MovieTimescale > 0)
                {
                    found.FragmentDuration = TimeSpan.FromSeconds((double)duration / found.MovieTimescale);
                }

                break;
            case "tfhd":
                // track_ID, then base_data_offset (8) and sample_description_index (4) when flagged.
                var offset = 8 + ((flags & 0x01) != 0 ? 8 : 0) + ((flags & 0x02) != 0 ? 4 : 0);
                if ((flags & DefaultSampleDurationPresent) != 0)
                {
                    found.DefaultSampleDuration = offset + 4 <= box.Length ? BinaryPrimitives.ReadUInt32BigEndian(box[offset..]) : throw new EndOfStreamException();
                }

                break;
            case "trun":
                found.FragmentTicks += RunTicks(box, flags, found.DefaultSampleDuration);
                break;
        }
    }

    private static ulong RunTicks(ReadOnlySpan<byte> box, uint flags, uint defaultDuration)
    {
        var samples = BinaryPrimitives.ReadUInt32BigEndian(box[4..]);
        var offset = 8 + ((flags & DataOffsetPresent) != 0 ? 4 : 0) + ((flags & FirstSampleFlagsPresent) != 0 ? 4 : 0);
        var perSample = new[] { SampleDurationPresent, SampleSizePresent, SampleFlagsPresent, SampleCompositionOffsetPresent }.Count(f => (flags & f) != 0) * 4;
        if ((ulong)offset + ((ulong)samples * (ulong)perSample) > (ulong)box.Length)
        {
            throw new EndOfStreamException();
        }

        if ((flags & SampleDurationPresent) == 0)
        {
            return (ulong)samples * defaultDuration;
        }

        ulong ticks = 0;
        for (var i = 0; i < samples; i++)
        {
            ticks += BinaryPrimitives.ReadUInt32BigEndian(box[(offset + (i * perSample))..]);
        }

        return ticks;
    }
}
