using System.Buffers.Binary;
using System.Text;

namespace Talko.Core.Media.Rtp;

/// <summary>Reads and writes compound RTCP packets (RFC 3550 section 6): SR, RR, SDES CNAME and BYE.</summary>
public static class RtcpPacket
{
    public const byte SenderReportType = 200;
    public const byte ReceiverReportType = 201;
    public const byte SourceDescriptionType = 202;
    public const byte ByeType = 203;

    private const int ReportBlockLength = 24;
    private const int SenderInfoLength = 20;

    /// <summary>
    /// Validates a compound packet as appendix A.2 suggests (version 2 throughout, first packet SR or RR,
    /// lengths that add up exactly) and returns its SR/RR reports; other packet types are skipped.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> datagram, out RtcpCompound? compound)
    {
        compound = null;
        var reports = new List<RtcpReport>();
        var hasBye = false;
        var offset = 0;
        var first = true;
        while (offset < datagram.Length)
        {
            if (datagram.Length - offset < 4)
            {
                return false;
            }

            var header = datagram[offset..];
            if (header[0] >> 6 != 2)
            {
                return false;
            }

            var count = header[0] & 0x1F;
            var packetType = header[1];
            var length = (BinaryPrimitives.ReadUInt16BigEndian(header[2..]) + 1) * 4;
            if (length > datagram.Length - offset)
            {
                return false;
            }

            if (first && packetType is not (SenderReportType or ReceiverReportType))
            {
                return false;
            }

            var body = datagram.Slice(offset + 4, length - 4);
            if ((header[0] & 0x20) != 0)
            {
                // Only the last packet of a compound may be padded (section 6.4.1).
                if (offset + length != datagram.Length || body.Length == 0 || body[^1] == 0 || body[^1] > body.Length)
                {
                    return false;
                }

                body = body[..^body[^1]];
            }

            switch (packetType)
            {
                case SenderReportType:
                    if (!TryReadReport(body, count, withSenderInfo: true, out var senderReport))
                    {
                        return false;
                    }

                    reports.Add(senderReport);
                    break;
                case ReceiverReportType:
                    if (!TryReadReport(body, count, withSenderInfo: false, out var receiverReport))
                    {
                        return false;
                    }

                    reports.Add(receiverReport);
                    break;
                case ByeType:
                    hasBye = true;
                    break;
            }

            offset += length;
            first = false;
        }

        compound = new RtcpCompound(reports, hasBye);
        return reports.Count > 0;
    }

    /// <summary>
    /// Writes an SR when <paramref name="senderInfo"/> is given, else an RR, with up to 31 report blocks,
    /// followed by the SDES CNAME every compound packet must carry (section 6.1). Returns the length.
    /// </summary>
    public static int WriteReport(
        Span<byte> destination,
        uint ssrc,
        RtcpSenderInfo? senderInfo,
        ReadOnlySpan<RtcpReportBlock> blocks,
        string canonicalName)
    {
        if (blocks.Length > 31)
        {
            throw new ArgumentOutOfRangeException(nameof(blocks), "An RTCP report carries at most 31 blocks.");
        }

        var reportLength = 8 + (senderInfo is null ? 0 : SenderInfoLength) + (blocks.Length * ReportBlockLength);
        var cnameBytes = Encoding.UTF8.GetByteCount(canonicalName);
        if (cnameBytes > 255)
        {
            throw new ArgumentException("A CNAME is at most 255 octets.", nameof(canonicalName));
        }

        // SDES chunk: SSRC, CNAME item (type, length, text), then at least one null octet to a 32-bit boundary.
        var chunkLength = 4 + 2 + cnameBytes;
        chunkLength += 4 - (chunkLength % 4);
        var sdesLength = 4 + chunkLength;
        if (destination.Length < reportLength + sdesLength)
        {
            throw new ArgumentException($"The destination needs {reportLength + sdesLength} bytes.", nameof(destination));
        }

        WriteCommonHeader(destination, blocks.Length, senderInfo is null ? ReceiverReportType : SenderReportType, reportLength);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        var offset = 8;
        if (senderInfo is { } info)
        {
            BinaryPrimitives.WriteUInt64BigEndian(destination[offset..], info.NtpTimestamp);
            BinaryPrimitives.WriteUInt32BigEndian(destination[(offset + 8)..], info.RtpTimestamp);
            BinaryPrimitives.WriteUInt32BigEndian(destination[(offset + 12)..], info.PacketCount);
            BinaryPrimitives.WriteUInt32BigEndian(destination[(offset + 16)..], info.OctetCount);
            offset += SenderInfoLength;
        }

        foreach (var block in blocks)
        {
            var target = destination[offset..];
            BinaryPrimitives.WriteUInt32BigEndian(target, block.Ssrc);
            BinaryPrimitives.WriteUInt32BigEndian(target[4..], (uint)(block.CumulativeLost & 0xFFFFFF) | ((uint)block.FractionLost << 24));
            BinaryPrimitives.WriteUInt32BigEndian(target[8..], block.ExtendedHighestSequence);
            BinaryPrimitives.WriteUInt32BigEndian(target[12..], block.Jitter);
            BinaryPrimitives.WriteUInt32BigEndian(target[16..], block.LastSenderReport);
            BinaryPrimitives.WriteUInt32BigEndian(target[20..], block.DelaySinceLastSenderReport);
            offset += ReportBlockLength;
        }

        var sdes = destination.Slice(offset, sdesLength);
        sdes.Clear();
        WriteCommonHeader(sdes, 1, SourceDescriptionType, sdesLength);
        BinaryPrimitives.WriteUInt32BigEndian(sdes[4..], ssrc);
        sdes[8] = 1; // CNAME
        sdes[9] = (byte)cnameBytes;
        Encoding.UTF8.GetBytes(canonicalName, sdes[10..]);
        return reportLength + sdesLength;
    }

    /// <summary>Converts a wall-clock time to the 64-bit NTP format (seconds since 1900, 32.32 fixed point).</summary>
    public static ulong ToNtpTimestamp(DateTimeOffset time)
    {
        var sinceEpoch = time.UtcDateTime - new DateTime(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var seconds = (ulong)sinceEpoch.Ticks / TimeSpan.TicksPerSecond;
        var fraction = ((ulong)sinceEpoch.Ticks % TimeSpan.TicksPerSecond << 32) / TimeSpan.TicksPerSecond;
        return (seconds << 32) | fraction;
    }

    private static void WriteCommonHeader(Span<byte> destination, int count, byte packetType, int length)
    {
        destination[0] = (byte)((2 << 6) | count);
        destination[1] = packetType;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)((length / 4) - 1));
    }

    private static bool TryReadReport(ReadOnlySpan<byte> body, int count, bool withSenderInfo, out RtcpReport report)
    {
        report = null!;
        var needed = 4 + (withSenderInfo ? SenderInfoLength : 0) + (count * ReportBlockLength);
        if (body.Length < needed)
        {
            return false;
        }

        var ssrc = BinaryPrimitives.ReadUInt32BigEndian(body);
        var offset = 4;
        RtcpSenderInfo? senderInfo = null;
        if (withSenderInfo)
        {
            senderInfo = new RtcpSenderInfo(
                BinaryPrimitives.ReadUInt64BigEndian(body[offset..]),
                BinaryPrimitives.ReadUInt32BigEndian(body[(offset + 8)..]),
                BinaryPrimitives.ReadUInt32BigEndian(body[(offset + 12)..]),
                BinaryPrimitives.ReadUInt32BigEndian(body[(offset + 16)..]));
            offset += SenderInfoLength;
        }

        var blocks = new RtcpReportBlock[count];
        for (var i = 0; i < count; i++)
        {
            var block = body[offset..];
            var lossWord = BinaryPrimitives.ReadUInt32BigEndian(block[4..]);

            // Cumulative lost is a signed 24-bit field: shift it to the top and back to extend the sign.
            var cumulativeLost = (int)(lossWord << 8) >> 8;
            blocks[i] = new RtcpReportBlock(
                BinaryPrimitives.ReadUInt32BigEndian(block),
                (byte)(lossWord >> 24),
                cumulativeLost,
                BinaryPrimitives.ReadUInt32BigEndian(block[8..]),
                BinaryPrimitives.ReadUInt32BigEndian(block[12..]),
                BinaryPrimitives.ReadUInt32BigEndian(block[16..]),
                BinaryPrimitives.ReadUInt32BigEndian(block[20..]));
            offset += ReportBlockLength;
        }

        report = new RtcpReport(ssrc, senderInfo, blocks);
        return true;
    }
}
