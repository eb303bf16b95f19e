namespace Talko.Server.Features.Calls;

/// <summary>
/// A call's whole recording as one seekable WAV: a fresh 44-byte header for the total length, then each segment's
/// PCM in order, read straight from its blob (or from the live file) at the asked position. Nothing is copied, so a
/// Range request for the last minute of a three-hour call reads only that minute.
/// </summary>
internal sealed class RecordingStream : Stream
{
    private readonly byte[] header;
    private readonly IReadOnlyList<Part> parts;
    private long position;

    /// <summary>Each part: its source stream (owned and disposed by this stream), where its PCM starts in it, and its length.</summary>
    public RecordingStream(int sampleRate, IReadOnlyList<Part> parts)
    {
        this.parts = parts;
        header = new byte[Talko.Core.Media.Recording.WavFormat.HeaderLength];
        Talko.Core.Media.Recording.WavFormat.WriteHeader(header, sampleRate, 1, parts.Sum(p => p.Length));
        Length = header.Length + parts.Sum(p => p.Length);
    }

    public sealed record Part(Stream Source, long Start, long Length);

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
        if (buffer.Length == 0 || position >= Length)
        {
            return 0;
        }

        if (position < header.Length)
        {
            var n = (int)Math.Min(buffer.Length, header.Length - position);
            header.AsSpan((int)position, n).CopyTo(buffer);
            position += n;
            return n;
        }

        var at = position - header.Length;
        foreach (var part in parts)
        {
            if (at >= part.Length)
            {
                at -= part.Length;
                continue;
            }

            part.Source.Position = part.Start + at;
            var read = part.Source.Read(buffer[..(int)Math.Min(buffer.Length, part.Length - at)]);
            if (read == 0)
            {
                // A live file shorter than when measured cannot happen (it only grows); stop rather than spin.
                return 0;
            }

            position += read;
            return read;
        }

        return 0;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (position < header.Length || buffer.Length == 0 || position >= Length)
        {
            return Read(buffer.Span);
        }

        var at = position - header.Length;
        foreach (var part in parts)
        {
            if (at >= part.Length)
            {
                at -= part.Length;
                continue;
            }

            part.Source.Position = part.Start + at;
            var read = await part.Source.ReadAsync(buffer[..(int)Math.Min(buffer.Length, part.Length - at)], cancellationToken);
            position += read;
            return read;
        }

        return 0;
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
            foreach (var part in parts)
            {
                part.Source.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
