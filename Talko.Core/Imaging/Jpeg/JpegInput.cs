namespace Talko.Core.Imaging.Jpeg;

/// <summary>
/// Buffered reading of a JPEG stream: marker segments, and the bits of entropy-coded data with byte
/// stuffing removed (ITU-T T.81 section F.1.2.3 / B.1.1.5). When a marker interrupts the data, zero
/// bits are supplied (a decoder may need a few bits of look-ahead past the end of a scan), but only a
/// handful: data that keeps asking for bits past a marker is corrupt.
/// </summary>
internal sealed class JpegInput(Stream input)
{
    /// <summary>Zero bytes supplied after a marker before the data is called truncated; look-ahead needs at most four.</summary>
    private const int MaxPadding = 16;

    private readonly byte[] buffer = new byte[64 * 1024];
    private int position;
    private int length;
    private ulong bits;
    private int bitCount;
    private int padding;

    /// <summary>A marker met while reading entropy-coded data, not yet handled.</summary>
    public byte? PendingMarker { get; private set; }

    public int ReadByte()
    {
        if (position == length)
        {
            length = input.Read(buffer, 0, buffer.Length);
            position = 0;
            if (length == 0)
            {
                throw new ImageDecodingException("The JPEG image ends early.");
            }
        }

        return buffer[position++];
    }

    public int ReadUInt16() => (ReadByte() << 8) | ReadByte();

    /// <summary>The next marker code, skipping fill bytes (B.1.1.2); anything else between segments is corrupt.</summary>
    public byte ReadMarker()
    {
        if (PendingMarker is { } pending)
        {
            PendingMarker = null;
            return pending;
        }

        if (ReadByte() != 0xFF)
        {
            throw new ImageDecodingException("The JPEG image has data where a marker should be.");
        }

        int code;
        while ((code = ReadByte()) == 0xFF)
        {
        }

        return code == 0 ? throw new ImageDecodingException("The JPEG image has a stuffed byte where a marker should be.") : (byte)code;
    }

    /// <summary>The body of a marker segment (its length field excluded); at most 65533 bytes by construction.</summary>
    public byte[] ReadSegment()
    {
        var segmentLength = ReadUInt16();
        if (segmentLength < 2)
        {
            throw new ImageDecodingException("The JPEG image has a segment of invalid length.");
        }

        var body = new byte[segmentLength - 2];
        for (var i = 0; i < body.Length; i++)
        {
            body[i] = (byte)ReadByte();
        }

        return body;
    }

    public void SkipSegment()
    {
        var segmentLength = ReadUInt16();
        if (segmentLength < 2)
        {
            throw new ImageDecodingException("The JPEG image has a segment of invalid length.");
        }

        for (var i = 2; i < segmentLength; i++)
        {
            ReadByte();
        }
    }

    /// <summary>The next <paramref name="count"/> (at most 16) bits without consuming them.</summary>
    public int PeekBits(int count)
    {
        if (bitCount < count)
        {
            Fill();
        }

        return (int)(bits >> (64 - count));
    }

    public void SkipBits(int count)
    {
        bits <<= count;
        bitCount -= count;
    }

    public int ReadBits(int count)
    {
        if (count == 0)
        {
            return 0;
        }

        var value = PeekBits(count);
        SkipBits(count);
        return value;
    }

    /// <summary>Ends a restart interval (F.1.2.3): drops the bits left in the byte and expects RSTn with n = <paramref name="expected"/>.</summary>
    public void Restart(int expected)
    {
        bits = 0;
        bitCount = 0;
        padding = 0;
        var marker = ReadMarker();
        if (marker != 0xD0 + expected)
        {
            throw new ImageDecodingException($"The JPEG image lacks restart marker {expected} where it is due.");
        }
    }

    /// <summary>
    /// Ends a scan: drops buffered bits and skips to the next marker other than RSTn. Used after the last
    /// MCU (its padding bits) and to pass over a scan whose data is not needed.
    /// </summary>
    public void EndScan()
    {
        bits = 0;
        bitCount = 0;
        padding = 0;
        if (PendingMarker is { } pending && (pending < 0xD0 || pending > 0xD7))
        {
            return;
        }

        PendingMarker = null;
        while (true)
        {
            if (ReadByte() != 0xFF)
            {
                continue;
            }

            int code;
            while ((code = ReadByte()) == 0xFF)
            {
            }

            if (code != 0 && (code < 0xD0 || code > 0xD7))
            {
                PendingMarker = (byte)code;
                return;
            }
        }
    }

    /// <summary>Starts a scan: no bits carried over from before.</summary>
    public void BeginScan()
    {
        bits = 0;
        bitCount = 0;
        padding = 0;
    }

    private void Fill()
    {
        while (bitCount <= 56)
        {
            int next;
            if (PendingMarker is not null)
            {
                if (++padding > MaxPadding)
                {
                    throw new ImageDecodingException("The JPEG image's coded data ends before the last block.");
                }

                next = 0;
            }
            else
            {
                next = ReadByte();
                if (next == 0xFF)
                {
                    int code;
                    while ((code = ReadByte()) == 0xFF)
                    {
                    }

                    if (code != 0)
                    {
                        PendingMarker = (byte)code;
                        next = 0;
                        padding++;
                    }
                }
            }

            bits |= (ulong)next << (56 - bitCount);
            bitCount += 8;
        }
    }
}
