namespace Talko.Core.Imaging.Png;

/// <summary>The concatenated data of consecutive IDAT chunks (ISO/IEC 15948 section 10), as the zlib stream it is.</summary>
internal sealed class IdatStream(PngChunkReader chunks) : Stream
{
    private int remaining = chunks.Length;
    private bool ended;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (remaining == 0)
        {
            if (ended)
            {
                return 0;
            }

            chunks.Skip(4); // CRC
            chunks.Next();
            if (chunks.Type != "IDAT")
            {
                ended = true;
                return 0;
            }

            remaining = chunks.Length;
        }

        var read = chunks.ReadSome(buffer[..Math.Min(buffer.Length, remaining)]);
        remaining -= read;
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
