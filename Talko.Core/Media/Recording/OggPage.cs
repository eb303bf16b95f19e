using System.Buffers.Binary;

namespace Talko.Core.Media.Recording;

/// <summary>Ogg page framing (RFC 3533 section 6): a 27-byte header, the lacing table, then the packets' bytes.</summary>
internal static class OggPage
{
    public const int HeaderLength = 27;
    public const byte Continued = 0x01;
    public const byte BeginningOfStream = 0x02;
    public const byte EndOfStream = 0x04;

    /// <summary>Largest page: 255 lacing values of 255 bytes each.</summary>
    public const int MaxLength = HeaderLength + 255 + (255 * 255);

    /// <summary>
    /// Writes one page holding whole packets (none continues onto the next page) into <paramref name="destination"/>;
    /// returns its length. Each packet's length is laced as 255s and a final value below 255 (section 5).
    /// </summary>
    public static int Write(Span<byte> destination, byte flags, long granule, uint serial, uint sequence, ReadOnlySpan<byte> data, ReadOnlySpan<int> packetLengths)
    {
        var segments = 0;
        foreach (var length in packetLengths)
        {
            segments += (length / 255) + 1;
        }

        if (segments > 255)
        {
            throw new ArgumentException("Too many packets for one Ogg page.", nameof(packetLengths));
        }

        "OggS"u8.CopyTo(destination);
        destination[4] = 0; // version
        destination[5] = flags;
        BinaryPrimitives.WriteInt64LittleEndian(destination[6..], granule);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[14..], serial);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[18..], sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[22..], 0);
        destination[26] = (byte)segments;
        var at = HeaderLength;
        foreach (var length in packetLengths)
        {
            for (var left = length; ; left -= 255)
            {
                destination[at++] = (byte)Math.Min(left, 255);
                if (left < 255)
                {
                    break;
                }
            }
        }

        data.CopyTo(destination[at..]);
        var total = at + data.Length;
        Seal(destination[..total]);
        return total;
    }

    /// <summary>Sets the checksum of a whole page (computed with its checksum field zeroed).</summary>
    public static void Seal(Span<byte> page)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(page[22..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(page[22..], OggCrc.Compute(page));
    }

    /// <summary>
    /// Reads the fixed page header at the start of <paramref name="header"/>; false when it is not an Ogg page.
    /// <paramref name="headerLength"/> includes the lacing table that follows.
    /// </summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> header, out byte flags, out long granule, out int headerLength)
    {
        flags = 0;
        granule = 0;
        headerLength = 0;
        if (header.Length < HeaderLength || !header.StartsWith("OggS"u8) || header[4] != 0)
        {
            return false;
        }

        flags = header[5];
        granule = BinaryPrimitives.ReadInt64LittleEndian(header[6..]);
        headerLength = HeaderLength + header[26];
        return true;
    }

    /// <summary>The data length the lacing table announces.</summary>
    public static int DataLength(ReadOnlySpan<byte> lacing)
    {
        var total = 0;
        foreach (var value in lacing)
        {
            total += value;
        }

        return total;
    }
}
