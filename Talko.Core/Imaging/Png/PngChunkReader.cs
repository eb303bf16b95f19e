using System.Buffers.Binary;
using System.Text;

namespace Talko.Core.Imaging.Png;

/// <summary>
/// Reads PNG chunks (ISO/IEC 15948 section 5.3: length, type, data, CRC) from a stream. Lengths are
/// bounded: the standard caps them at 2^31-1, and every byte read counts towards a total limit, so a
/// file of endless chunks still ends. CRCs are skipped: a corrupt chunk shows up as bad data anyway.
/// </summary>
internal sealed class PngChunkReader(Stream input, long maxTotalBytes)
{
    private readonly byte[] header = new byte[8];
    private long totalRead;

    public int Length { get; private set; }

    public string Type { get; private set; } = string.Empty;

    /// <summary>Reads the next chunk's length and type; its data follows in the stream.</summary>
    public void Next()
    {
        Read(header);
        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length > int.MaxValue)
        {
            throw new ImageDecodingException("A PNG chunk is longer than 2^31-1 bytes.");
        }

        Length = (int)length;
        Type = Encoding.Latin1.GetString(header, 4, 4);
        if (!Type.All(char.IsAsciiLetter))
        {
            throw new ImageDecodingException("A PNG chunk has an invalid type.");
        }
    }

    /// <summary>Reads exactly <paramref name="buffer"/>.Length bytes or fails with a typed exception.</summary>
    public void Read(Span<byte> buffer)
    {
        totalRead += buffer.Length;
        if (totalRead > maxTotalBytes)
        {
            throw new ImageDecodingException($"The PNG image has more than {maxTotalBytes} bytes of chunks.");
        }

        try
        {
            input.ReadExactly(buffer);
        }
        catch (EndOfStreamException exception)
        {
            throw new ImageDecodingException("The PNG image ends early.", exception);
        }
    }

    /// <summary>Reads up to buffer.Length bytes of the current chunk's data (the caller tracks what is left).</summary>
    public int ReadSome(Span<byte> buffer)
    {
        var read = input.Read(buffer);
        if (read == 0 && buffer.Length > 0)
        {
            throw new ImageDecodingException("The PNG image ends early.");
        }

        totalRead += read;
        if (totalRead > maxTotalBytes)
        {
            throw new ImageDecodingException($"The PNG image has more than {maxTotalBytes} bytes of chunks.");
        }

        return read;
    }

    /// <summary>Skips <paramref name="count"/> bytes (rest of a chunk, or its CRC).</summary>
    public void Skip(long count)
    {
        Span<byte> scratch = stackalloc byte[4096];
        while (count > 0)
        {
            var step = (int)Math.Min(count, scratch.Length);
            Read(scratch[..step]);
            count -= step;
        }
    }
}
