using System.Buffers.Binary;
using Talko.Core.Media.Codecs.Opus;

namespace Talko.Core.Media.Recording;

/// <summary>What one Ogg Opus segment holds, read from its page headers: its pre-skip, input rate and audio pages.</summary>
/// <param name="PreSkip">48 kHz samples a player drops at the start (RFC 7845 section 4.2).</param>
/// <param name="InputRate">The mix's rate, informational.</param>
/// <param name="Audio">The pages after OpusHead and OpusTags.</param>
/// <param name="WholeLength">Bytes up to the end of the last whole page: a file cut off mid-page (its owner died) is valid this far.</param>
public sealed record OggOpusSegmentInfo(int PreSkip, int InputRate, IReadOnlyList<OggOpusSegmentInfo.AudioPage> Audio, long WholeLength)
{
    /// <summary>48 kHz samples of audio after the pre-skip, as far as the last whole page says.</summary>
    public long Samples => Audio.Count == 0 ? 0 : Math.Max(0, Audio[^1].Granule - PreSkip);

    public TimeSpan Duration => TimeSpan.FromSeconds(Samples / (double)OpusFormat.SampleRate);

    /// <summary>One audio page (after OpusHead and OpusTags): where it is in the file, its length and granule position.</summary>
    public readonly record struct AudioPage(long Offset, int Length, long Granule);
}

/// <summary>
/// Reads Ogg Opus segments as <see cref="OggOpusRecorder"/> writes them (one logical stream, whole packets per page):
/// indexes their pages, tolerating a torn last page, and decodes them to PCM for the WAV form of a recording.
/// </summary>
public static class OggOpusSegment
{
    /// <summary>Indexes <paramref name="source"/> (seekable) from its page headers; a torn or foreign page ends it.</summary>
    public static OggOpusSegmentInfo Measure(Stream source) => Measure(source, known: null);

    /// <summary>
    /// Indexes <paramref name="source"/> as <see cref="Measure(Stream)"/> does, reading only the pages past
    /// <paramref name="known"/>: an earlier index of the same file when it was shorter (a live segment only grows at its
    /// end, whole pages already indexed never change). A <paramref name="known"/> without audio pages, or longer than the
    /// file, is ignored and the file indexed from its start.
    /// </summary>
    public static OggOpusSegmentInfo Measure(Stream source, OggOpusSegmentInfo? known)
    {
        ArgumentNullException.ThrowIfNull(source);
        var length = source.Length;
        var resume = known is { Audio.Count: > 0 } && known.WholeLength <= length;
        var audio = resume ? new List<OggOpusSegmentInfo.AudioPage>(known!.Audio) : [];
        var preSkip = resume ? known!.PreSkip : 0;
        var inputRate = resume ? known!.InputRate : OpusFormat.SampleRate;
        Span<byte> header = stackalloc byte[OggPage.HeaderLength + 255];
        Span<byte> head = stackalloc byte[19];
        var offset = resume ? known!.WholeLength : 0;
        for (var n = resume ? 2 + audio.Count : 0; offset + OggPage.HeaderLength <= length; n++)
        {
            source.Position = offset;
            source.ReadExactly(header[..OggPage.HeaderLength]);
            if (!OggPage.TryReadHeader(header, out _, out var granule, out var headerLength) || offset + headerLength > length)
            {
                break;
            }

            source.ReadExactly(header[OggPage.HeaderLength..headerLength]);
            var pageLength = headerLength + OggPage.DataLength(header[OggPage.HeaderLength..headerLength]);
            if (offset + pageLength > length)
            {
                break; // still being written, or cut off when its writer died
            }

            if (n == 0)
            {
                // OpusHead: pre-skip at byte 10, input rate at 12 of the packet.
                if (pageLength - headerLength < head.Length)
                {
                    break;
                }

                source.ReadExactly(head);
                if (!head.StartsWith("OpusHead"u8))
                {
                    break;
                }

                preSkip = BinaryPrimitives.ReadUInt16LittleEndian(head[10..]);
                inputRate = (int)BinaryPrimitives.ReadUInt32LittleEndian(head[12..]);
            }
            else if (n >= 2)
            {
                audio.Add(new OggOpusSegmentInfo.AudioPage(offset, pageLength, granule));
            }

            offset += pageLength;
        }

        return new OggOpusSegmentInfo(preSkip, inputRate, audio, offset);
    }

    /// <summary>
    /// Decodes the segment's audio to 16-bit mono PCM at <paramref name="sampleRate"/> (8, 12, 16, 24 or 48 kHz), pre-skip
    /// and end trimmed, so it writes exactly <see cref="OggOpusSegmentInfo.Samples"/> scaled to that rate; a packet the
    /// decoder rejects becomes concealment, keeping the length.
    /// </summary>
    public static async Task DecodeAsync(
        Stream source, OggOpusSegmentInfo info, OpusCodecs codecs, int sampleRate, Func<ReadOnlyMemory<short>, Task> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(codecs);
        ArgumentNullException.ThrowIfNull(write);
        var scale = OpusFormat.SampleRate / sampleRate;
        var skip = (long)info.PreSkip / scale;
        var left = info.Samples / scale;
        using var decoder = codecs.CreateDecoder(sampleRate);
        var frame = new short[OpusFormat.FrameSamples / scale];
        var page = new byte[OggPage.MaxLength];
        foreach (var audioPage in info.Audio)
        {
            if (left <= 0)
            {
                break;
            }

            source.Position = audioPage.Offset;
            await source.ReadExactlyAsync(page.AsMemory(0, audioPage.Length), cancellationToken).ConfigureAwait(false);
            var segments = page[26];
            var at = OggPage.HeaderLength + segments;
            var packetLength = 0;
            for (var s = 0; s < segments; s++)
            {
                packetLength += page[OggPage.HeaderLength + s];
                if (page[OggPage.HeaderLength + s] == 255)
                {
                    continue; // the packet goes on (the recorder never splits one across pages)
                }

                var decoded = decoder.Decode(page.AsSpan(at, packetLength), frame);
                if (decoded <= 0)
                {
                    decoded = decoder.Conceal(frame);
                }

                at += packetLength;
                packetLength = 0;
                var take = frame.AsMemory(0, Math.Max(0, decoded));
                if (skip > 0)
                {
                    var skipped = (int)Math.Min(skip, take.Length);
                    skip -= skipped;
                    take = take[skipped..];
                }

                if (take.Length > left)
                {
                    take = take[..(int)left];
                }

                if (!take.IsEmpty)
                {
                    left -= take.Length;
                    await write(take).ConfigureAwait(false);
                }
            }
        }

        // Pages promise more than the packets gave (cannot happen with the recorder's files): pad with silence so
        // the length matches what the segment's row says.
        Array.Clear(frame);
        while (left > 0)
        {
            var n = (int)Math.Min(left, frame.Length);
            left -= n;
            await write(frame.AsMemory(0, n)).ConfigureAwait(false);
        }
    }
}
