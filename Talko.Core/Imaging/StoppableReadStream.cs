namespace Talko.Core.Imaging;

/// <summary>
/// Hands the photo to SkiaSharp and ends it early once the token is cancelled. The native decoder reads
/// through it as it goes; an exception thrown there would cross native frames, so the stream reports
/// end of input instead, the codec answers <c>IncompleteInput</c>, and the caller sees <see cref="Stopped"/>.
/// Disposing it leaves the photo's stream open for the Exif fallback.
/// </summary>
internal sealed class StoppableReadStream(Stream inner, CancellationToken cancellationToken) : Stream
{
    public bool Stopped { get; private set; }

    /// <summary>
    /// True once a read found nothing left; cleared before decoding so that it tells whether the decoder itself
    /// wanted more than the file holds.
    /// </summary>
    public bool ReadPastEnd { get; set; }

    public override bool CanRead => true;

    public override bool CanSeek => inner.CanSeek;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position { get => inner.Position; set => inner.Position = value; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            Stopped = true;
            return 0;
        }

        // Fill the request as far as the file allows: a short read reads as end of input to some of Skia's codecs.
        var filled = 0;
        while (filled < buffer.Length && !cancellationToken.IsCancellationRequested)
        {
            var read = inner.Read(buffer[filled..]);
            if (read == 0)
            {
                ReadPastEnd |= filled == 0;
                break;
            }

            filled += read;
        }

        return filled;
    }

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
