using Talko.Core.Media.Codecs.Opus;

namespace Talko.Core.Media.Recording;

/// <summary>
/// Decodes one Ogg Opus segment to 16-bit mono PCM as it is read (pulled), a packet at a time: the same samples
/// <see cref="OggOpusSegment.DecodeAsync"/> gives (pre-skip and end trimmed, a rejected packet concealed, a short end
/// padded with silence), so exactly <see cref="Samples"/> of them, in memory bounded by one page and one frame.
/// </summary>
public sealed class OggOpusPcmReader : IDisposable
{
    private readonly Stream source;
    private readonly OggOpusSegmentInfo info;
    private readonly IOpusFrameDecoder decoder;
    private readonly short[] frame;
    private readonly byte[] page = new byte[OggPage.MaxLength];
    private int pageIndex = -1;
    private int lacing;
    private int packetAt;
    private int frameAt;
    private int frameEnd;
    private long skip;
    private long left;

    /// <summary>Reads <paramref name="source"/> (seekable, not owned) by its index <paramref name="info"/> at <paramref name="sampleRate"/> (8, 12, 16, 24 or 48 kHz).</summary>
    public OggOpusPcmReader(Stream source, OggOpusSegmentInfo info, OpusCodecs codecs, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(codecs);
        this.source = source;
        this.info = info;
        var scale = OpusFormat.SampleRate / sampleRate;
        skip = (long)info.PreSkip / scale;
        left = Samples = info.Samples / scale;
        decoder = codecs.CreateDecoder(sampleRate);
        frame = new short[OpusFormat.FrameSamples / scale];
    }

    /// <summary>How many samples the segment decodes to at this rate.</summary>
    public long Samples { get; }

    /// <summary>Fills <paramref name="destination"/> with the next samples; 0 at the end.</summary>
    public int Read(Span<short> destination)
    {
        var written = 0;
        while (written < destination.Length && left > 0)
        {
            if (frameAt == frameEnd && !DecodeNext())
            {
                // Pages promise more than the packets gave (cannot happen with the recorder's files): silence keeps the length.
                var pad = (int)Math.Min(left, destination.Length - written);
                destination.Slice(written, pad).Clear();
                written += pad;
                left -= pad;
                break;
            }

            var take = (int)Math.Min(Math.Min(frameEnd - frameAt, destination.Length - written), left);
            frame.AsSpan(frameAt, take).CopyTo(destination[written..]);
            frameAt += take;
            written += take;
            left -= take;
        }

        return written;
    }

    public void Dispose() => decoder.Dispose();

    /// <summary>Decodes the next packet into the frame, dropping what the pre-skip covers; false when no packet is left.</summary>
    private bool DecodeNext()
    {
        while (true)
        {
            if (pageIndex < 0 || lacing >= page[26])
            {
                if (++pageIndex >= info.Audio.Count)
                {
                    return false;
                }

                var audioPage = info.Audio[pageIndex];
                source.Position = audioPage.Offset;
                source.ReadExactly(page.AsSpan(0, audioPage.Length));
                lacing = 0;
                packetAt = OggPage.HeaderLength + page[26];
                continue;
            }

            var packetLength = 0;
            byte lace;
            do
            {
                lace = page[OggPage.HeaderLength + lacing++];
                packetLength += lace;
            }
            while (lace == 255 && lacing < page[26]); // the recorder never splits a packet across pages

            var decoded = decoder.Decode(page.AsSpan(packetAt, packetLength), frame);
            if (decoded <= 0)
            {
                decoded = decoder.Conceal(frame);
            }

            packetAt += packetLength;
            frameAt = 0;
            frameEnd = Math.Max(0, decoded);
            if (skip > 0)
            {
                var skipped = (int)Math.Min(skip, frameEnd);
                skip -= skipped;
                frameAt = skipped;
            }

            if (frameAt < frameEnd)
            {
                return true;
            }
        }
    }
}
