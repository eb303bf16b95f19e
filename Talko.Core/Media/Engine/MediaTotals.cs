namespace Talko.Core.Media.Engine;

/// <summary>
/// What the engine has done since it started, over every leg and conference, live and gone: the sums behind the RTP and
/// mixer counters. Read on demand (a scrape), so the packet path only bumps its own leg's fields.
/// </summary>
public sealed record MediaTotals(
    long PacketsReceived,
    long PacketsSent,
    long PacketsLost,
    long DiscardedMalformed,
    long DiscardedUnknownSource,
    long DiscardedUnknownPayloadType,
    long RtcpReceived,
    long RtcpSent,
    long Ticks,
    long LateTicks,
    long SkippedTicks,
    int Conferences,
    int Legs)
{
    public static MediaTotals Zero { get; } = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    public MediaTotals Add(MediaLegStatistics leg) => this with
    {
        PacketsReceived = PacketsReceived + leg.PacketsReceived,
        PacketsSent = PacketsSent + leg.PacketsSent,
        PacketsLost = PacketsLost + leg.PacketsLost,
        DiscardedMalformed = DiscardedMalformed + leg.DroppedMalformed,
        DiscardedUnknownSource = DiscardedUnknownSource + leg.DroppedUnknownSource + leg.RtcpDroppedUnknownSource,
        DiscardedUnknownPayloadType = DiscardedUnknownPayloadType + leg.DroppedUnknownPayloadType,
        RtcpReceived = RtcpReceived + leg.RtcpReceived,
        RtcpSent = RtcpSent + leg.RtcpSent,
    };

    public MediaTotals AddClock(long ticks, long lateTicks, long skippedTicks) => this with
    {
        Ticks = Ticks + ticks,
        LateTicks = LateTicks + lateTicks,
        SkippedTicks = SkippedTicks + skippedTicks,
    };
}
