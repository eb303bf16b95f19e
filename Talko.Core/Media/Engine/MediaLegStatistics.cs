using Talko.Core.Media.Jitter;

namespace Talko.Core.Media.Engine;

/// <summary>
/// Counters of one leg. Dropped packets are counted by reason; a WebRTC leg adds its transport's drops
/// (<see cref="WebRtcDropped"/>, indexed by <see cref="WebRtc.WebRtcDropReason"/>; null for a plain RTP leg).
/// <paramref name="FramesDecoded"/> counts calls into the leg's decoder (Opus: decode, FEC, concealment; G.711: payloads), which a silent Opus leg does not make (ADR 0930);
/// <paramref name="AudioLevels"/> the packets that carried an RFC 6464 level and <paramref name="LastAudioLevel"/> the
/// latest (-dBov).
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
    IReadOnlyList<long>? WebRtcDropped = null,
    long FramesDecoded = 0,
    long AudioLevels = 0,
    byte? LastAudioLevel = null);
