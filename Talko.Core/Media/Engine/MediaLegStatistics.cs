using Talko.Core.Media.Jitter;

namespace Talko.Core.Media.Engine;

/// <summary>
/// Counters of one leg. Dropped packets are counted by reason; a WebRTC leg adds its transport's drops
/// (<see cref="WebRtcDropped"/>, indexed by <see cref="WebRtc.WebRtcDropReason"/>; null for a plain RTP leg).
/// </summary>
public sealed record MediaLegStatistics(
    long PacketsReceived,
    long PacketsSent,
    long DroppedMalformed,
    long DroppedUnknownSource,
    long DroppedUnknownPayloadType,
    long TelephoneEventPackets,
    long SsrcChanges,
    long SourceLatches,
    long PacketsLost,
    double JitterMilliseconds,
    long RtcpReceived,
    long RtcpSent,
    long RtcpMalformed,
    byte? RemoteFractionLost,
    JitterBufferStatistics JitterBuffer,
    long RtcpDroppedUnknownSource = 0,
    IReadOnlyList<long>? WebRtcDropped = null);
