namespace Talko.Core.Media.Rtp;

/// <summary>One reception report block (RFC 3550 section 6.4.1).</summary>
public readonly record struct RtcpReportBlock(
    uint Ssrc,
    byte FractionLost,
    int CumulativeLost,
    uint ExtendedHighestSequence,
    uint Jitter,
    uint LastSenderReport,
    uint DelaySinceLastSenderReport);

/// <summary>The sender information of an SR (RFC 3550 section 6.4.1).</summary>
public readonly record struct RtcpSenderInfo(ulong NtpTimestamp, uint RtpTimestamp, uint PacketCount, uint OctetCount)
{
    /// <summary>The middle 32 bits of the NTP timestamp, echoed back as LSR in report blocks.</summary>
    public uint CompactNtp => (uint)(NtpTimestamp >> 16);
}

/// <summary>A sender report (SR, PT 200) or receiver report (RR, PT 201) read from a compound packet.</summary>
public sealed record RtcpReport(uint Ssrc, RtcpSenderInfo? SenderInfo, IReadOnlyList<RtcpReportBlock> Blocks);

/// <summary>What one compound RTCP packet said: its reports and whether it carried a BYE.</summary>
public sealed record RtcpCompound(IReadOnlyList<RtcpReport> Reports, bool HasBye);
