using System.Runtime.InteropServices;
using Talko.Core.Media.Codecs.Opus;

namespace Talko.Core.Media.Recording;

/// <summary>
/// A recording's segments as one seekable 16-bit mono WAV, decoded as it is read: the header comes from the known total
/// (each Ogg Opus segment's length follows from its last granule position), PCM parts are copied, Ogg Opus parts decoded
/// a packet at a time (<see cref="OggOpusPcmReader"/>). Memory stays at a page and a chunk however long the call; nothing
/// is written to disk. Reading on from where the last read ended costs only the decoding; a seek backwards, or into
/// another Ogg Opus part, decodes that part again from its start (Opus frames depend on the ones before), so a range
/// deep into a long segment costs the decoding up to it.
/// </summary>
public sealed class DecodedWavStream : Stream
{
    private const int ChunkSamples = 4096;

    private readonly byte[] header = new byte[WavFormat.HeaderLength];
    private readonly Part[] parts;
    private readonly long[] starts;
    private readonly OpusCodecs codecs;
    private readonly int sampleRate;
    private readonly short[] chunk = new short[ChunkSamples];
    private OggOpusPcmReader? reader;
    private int readerPart = -1;
    private long chunkStart; // byte offset in the reader's part where the chunk starts
    private int chunkBytes;
    private long position;
    private long decodedSamples;

    /// <summary>Joins <paramref name="parts"/> (their streams owned and disposed by this stream) at <paramref name="sampleRate"/>.</summary>
    public DecodedWavStream(IReadOnlyList<Part> parts, OpusCodecs codecs, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentNullException.ThrowIfNull(codecs);
        this.parts = [.. parts];
        this.codecs = codecs;
        this.sampleRate = sampleRate;
        starts = new long[this.parts.Length];
        long data = 0;
        for (var i = 0; i < this.parts.Length; i++)
        {
            starts[i] = data;
            data += this.parts[i].ByteLength(sampleRate);
        }

        WavFormat.WriteHeader(header, sampleRate, 1, data);
        Length = WavFormat.HeaderLength + data;
    }

    /// <summary>Samples decoded from Ogg Opus parts so far (what a seek or a read cost).</summary>
    public long DecodedSamples => decodedSamples;

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

        if (position < WavFormat.HeaderLength)
        {
            var n = (int)Math.Min(buffer.Length, WavFormat.HeaderLength - position);
            header.AsSpan((int)position, n).CopyTo(buffer);
            position += n;
            return n;
        }

        var at = position - WavFormat.HeaderLength;
        // The last part starting at or before it holds it (an empty part shares its start with the next one).
        var i = starts.Length - 1;
        while (starts[i] > at)
        {
            i--;
        }

        var within = at - starts[i];
        var wanted = (int)Math.Min(buffer.Length, parts[i].ByteLength(sampleRate) - within);
        var read = parts[i] is Part.Opus ? ReadDecoded(i, within, buffer[..wanted]) : ReadPcm((Part.Pcm)parts[i], within, buffer[..wanted]);
        position += read;
        return read;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span)); // decoding is CPU work; the sources are local files or blobs read in pages
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

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
            reader?.Dispose();
            foreach (var part in parts)
            {
                part.Source.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private static int ReadPcm(Part.Pcm part, long within, Span<byte> buffer)
    {
        part.Source.Position = part.Start + within;
        return part.Source.Read(buffer);
    }

    /// <summary>Copies from the decoded chunk that covers <paramref name="within"/>, decoding on (or from the part's start) to reach it.</summary>
    private int ReadDecoded(int i, long within, Span<byte> buffer)
    {
        if (readerPart != i || within < chunkStart)
        {
            reader?.Dispose();
            var opus = (Part.Opus)parts[i];
            reader = new OggOpusPcmReader(opus.Source, opus.Index, codecs, sampleRate);
            readerPart = i;
            chunkStart = 0;
            chunkBytes = 0;
        }

        while (within >= chunkStart + chunkBytes)
        {
            chunkStart += chunkBytes;
            var samples = reader!.Read(chunk);
            decodedSamples += samples;
            chunkBytes = samples * 2;
            if (samples == 0)
            {
                return 0; // cannot happen: the reader gives exactly the part's length
            }
        }

        var from = (int)(within - chunkStart);
        var n = Math.Min(buffer.Length, chunkBytes - from);
        MemoryMarshal.AsBytes(chunk.AsSpan(0, chunkBytes / 2)).Slice(from, n).CopyTo(buffer);
        return n;
    }

    /// <summary>One segment of the recording.</summary>
    public abstract record Part(Stream Source)
    {
        internal abstract long ByteLength(int sampleRate);

        /// <summary>16-bit PCM already at the WAV's rate: <paramref name="Length"/> bytes from <paramref name="Start"/>.</summary>
        public sealed record Pcm(Stream Source, long Start, long Length) : Part(Source)
        {
            internal override long ByteLength(int sampleRate) => Length;
        }

        /// <summary>An Ogg Opus segment and its page index, decoded as read.</summary>
        public sealed record Opus(Stream Source, OggOpusSegmentInfo Index) : Part(Source)
        {
            internal override long ByteLength(int sampleRate) => Index.Samples / (OpusFormat.SampleRate / sampleRate) * 2;
        }
    }
}
