using System.Buffers.Binary;

namespace Talko.Core.Media.Recording;

/// <summary>
/// Several Ogg Opus segments (from <see cref="OggOpusRecorder"/>, in order) served as one continuous, seekable Ogg Opus
/// stream: fresh OpusHead/OpusTags pages, then every segment's audio pages with one serial number, one page sequence
/// and granule positions that run on across segments. Each segment after the first loses its lead-in page (the packets
/// its pre-skip covers), so the samples join exactly and a position in the stream is a position in the call; missing
/// segments leave no gap, as with the WAV recordings. Pages are indexed from their headers when the stream is made and
/// rewritten (header fields and checksum) as they are read, so a byte range reads only the pages it covers. A segment
/// still being written is taken as far as its last whole page.
/// </summary>
public sealed class OggOpusConcatStream : Stream
{
    private readonly Stream[] sources;
    private readonly byte[] headers;
    private readonly List<PageRef> pages = [];
    private readonly uint serial;
    private readonly byte[] current = new byte[OggPage.MaxLength];
    private int currentPage = -1;
    private long position;

    /// <summary>
    /// Indexes <paramref name="segments"/> (owned and disposed by this stream). <paramref name="complete"/> marks the last
    /// page end-of-stream; leave it false while the call is live.
    /// </summary>
    public OggOpusConcatStream(IReadOnlyList<Stream> segments, uint serial, bool complete)
        : this(segments, [.. segments.Select(OggOpusSegment.Measure)], serial, complete)
    {
    }

    /// <summary>
    /// Joins <paramref name="segments"/> (owned and disposed by this stream) by their page <paramref name="indexes"/>,
    /// already measured (<see cref="OggOpusSegment.Measure(Stream)"/>, perhaps cached): nothing is read until bytes are.
    /// </summary>
    public OggOpusConcatStream(IReadOnlyList<Stream> segments, IReadOnlyList<OggOpusSegmentInfo> indexes, uint serial, bool complete)
    {
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(indexes);
        if (indexes.Count != segments.Count)
        {
            throw new ArgumentException("One index per segment.", nameof(indexes));
        }

        sources = [.. segments];
        this.serial = serial;
        int? preSkip = null;
        var inputRate = 48000;
        long realBefore = 0;
        long offset = 0;
        for (var s = 0; s < sources.Length; s++)
        {
            var index = indexes[s];
            if (index.Audio.Count <= 1)
            {
                continue; // nothing past the lead-in: no audio to join
            }

            preSkip ??= index.PreSkip;
            if (offset == 0)
            {
                inputRate = index.InputRate;
            }

            // The first segment keeps its lead-in (the stream's pre-skip covers it); later ones start after theirs.
            foreach (var page in pages.Count == 0 ? index.Audio : index.Audio.Skip(1))
            {
                var granule = preSkip.Value + realBefore + (page.Granule - index.PreSkip);
                pages.Add(new PageRef(s, page.Offset, page.Length, granule, offset));
                offset += page.Length;
            }

            realBefore += index.Audio[^1].Granule - index.PreSkip;
        }

        var head = OpusHeaderPackets.Head(preSkip ?? 0, inputRate);
        var tags = OpusHeaderPackets.Tags();
        headers = new byte[(2 * OggPage.HeaderLength) + 2 + head.Length + tags.Length];
        var at = OggPage.Write(headers, OggPage.BeginningOfStream, 0, serial, 0, head, [head.Length]);
        at += OggPage.Write(headers.AsSpan(at), 0, 0, serial, 1, tags, [tags.Length]);
        HeaderLength = at;
        Complete = complete;
        Length = HeaderLength + offset;
        Duration = TimeSpan.FromSeconds(realBefore / 48000.0);
    }

    /// <summary>How long the joined audio plays.</summary>
    public TimeSpan Duration { get; }

    private int HeaderLength { get; }

    private bool Complete { get; }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length { get; }

    public override long Position
    {
        get => position;
        set => position = Math.Clamp(value, 0, Length);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty || position >= Length)
        {
            return 0;
        }

        if (position < HeaderLength)
        {
            var n = (int)Math.Min(buffer.Length, HeaderLength - position);
            headers.AsSpan((int)position, n).CopyTo(buffer);
            position += n;
            return n;
        }

        var at = position - HeaderLength;
        var i = FindPage(at);
        var page = pages[i];
        if (currentPage != i)
        {
            Load(i);
        }

        var within = (int)(at - page.OutputOffset);
        var count = Math.Min(buffer.Length, page.Length - within);
        current.AsSpan(within, count).CopyTo(buffer);
        position += count;
        return count;
    }

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => position + offset,
        _ => Length + offset,
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var source in sources)
            {
                source.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    /// <summary>Reads page <paramref name="i"/> from its segment and gives it this stream's serial, sequence, granule and flags.</summary>
    private void Load(int i)
    {
        var page = pages[i];
        var source = sources[page.Source];
        source.Position = page.SourceOffset;
        source.ReadExactly(current.AsSpan(0, page.Length));
        current[5] = Complete && i == pages.Count - 1 ? OggPage.EndOfStream : (byte)0;
        BinaryPrimitives.WriteInt64LittleEndian(current.AsSpan(6), page.Granule);
        BinaryPrimitives.WriteUInt32LittleEndian(current.AsSpan(14), serial);
        BinaryPrimitives.WriteUInt32LittleEndian(current.AsSpan(18), (uint)(i + 2));
        OggPage.Seal(current.AsSpan(0, page.Length));
        currentPage = i;
    }

    private int FindPage(long offset)
    {
        int low = 0, high = pages.Count - 1;
        while (low < high)
        {
            var mid = (low + high + 1) / 2;
            if (pages[mid].OutputOffset <= offset)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }

        return low;
    }

    private readonly record struct PageRef(int Source, long SourceOffset, int Length, long Granule, long OutputOffset);
}
