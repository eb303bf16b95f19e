using System.Buffers.Binary;

namespace Talko.Core.Media.Rtp;

/// <summary>Parses and writes RTP packets (RFC 3550 section 5.1) without allocating.</summary>
public static class RtpPacket
{
    /// <summary>
    /// Validates <paramref name="datagram"/> as an RTP packet: version 2, a CSRC list and header
    /// extension (section 5.3.1) that fit, and a padding count (last octet) that is non-zero and fits.
    /// </summary>
    public static RtpParseResult TryParse(ReadOnlySpan<byte> datagram, out RtpHeader header)
    {
        header = default;
        if (datagram.Length < RtpHeader.FixedLength)
        {
            return RtpParseResult.TooShort;
        }

        var first = datagram[0];
        if (first >> 6 != RtpHeader.Version)
        {
            return RtpParseResult.BadVersion;
        }

        var hasPadding = (first & 0x20) != 0;
        var hasExtension = (first & 0x10) != 0;
        var csrcCount = first & 0x0F;
        var marker = (datagram[1] & 0x80) != 0;
        var payloadType = (byte)(datagram[1] & 0x7F);
        if (payloadType is >= 72 and <= 76)
        {
            return RtpParseResult.LooksLikeRtcp;
        }

        var offset = RtpHeader.FixedLength + (4 * csrcCount);
        if (offset > datagram.Length)
        {
            return RtpParseResult.CsrcListTruncated;
        }

        if (hasExtension)
        {
            if (offset + 4 > datagram.Length)
            {
                return RtpParseResult.ExtensionTruncated;
            }

            var extensionWords = BinaryPrimitives.ReadUInt16BigEndian(datagram[(offset + 2)..]);
            offset += 4 + (4 * extensionWords);
            if (offset > datagram.Length)
            {
                return RtpParseResult.ExtensionTruncated;
            }
        }

        var end = datagram.Length;
        if (hasPadding)
        {
            var paddingCount = datagram[^1];
            if (paddingCount == 0 || offset + paddingCount > datagram.Length)
            {
                return RtpParseResult.BadPadding;
            }

            end -= paddingCount;
        }

        header = new RtpHeader(
            marker,
            payloadType,
            BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(datagram[8..]),
            csrcCount,
            hasExtension,
            offset,
            end - offset);
        return RtpParseResult.Ok;
    }

    /// <summary>Writes a 12-octet header (no CSRCs, extension or padding) and the payload; returns the packet length.</summary>
    public static int Write(
        Span<byte> destination,
        bool marker,
        byte payloadType,
        ushort sequenceNumber,
        uint timestamp,
        uint ssrc,
        ReadOnlySpan<byte> payload)
    {
        if (payloadType > 127)
        {
            throw new ArgumentOutOfRangeException(nameof(payloadType), payloadType, "RTP payload types are 7 bits.");
        }

        var length = RtpHeader.FixedLength + payload.Length;
        if (destination.Length < length)
        {
            throw new ArgumentException($"The destination needs {length} bytes.", nameof(destination));
        }

        destination[0] = RtpHeader.Version << 6;
        destination[1] = (byte)((marker ? 0x80 : 0) | payloadType);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], sequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], ssrc);
        payload.CopyTo(destination[RtpHeader.FixedLength..]);
        return length;
    }
}
