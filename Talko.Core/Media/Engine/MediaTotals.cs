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
    int Legs,
    IReadOnlyList<long>? WebRtcDropped = null,
    IReadOnlyList<long>? WebRtcHandshakeFailures = null)
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
        WebRtcDropped = Sum(WebRtcDropped, leg.WebRtcDropped),
    };

    /// <summary>WebRTC datagrams dropped for <paramref name="reason"/>, over every WebRTC leg.</summary>
    public long WebRtcDrops(WebRtc.WebRtcDropReason reason) =>
        WebRtcDropped is { } drops && (int)reason < drops.Count ? drops[(int)reason] : 0;

    /// <summary>DTLS-SRTP handshakes of legs still in their call that failed for <paramref name="failure"/>.</summary>
    public long WebRtcHandshakesFailed(WebRtc.Dtls.DtlsFailure failure) =>
        WebRtcHandshakeFailures is { } failures && (int)failure < failures.Count ? failures[(int)failure] : 0;

    public MediaTotals AddClock(long ticks, long lateTicks, long skippedTicks) => this with
    {
        Ticks = Ticks + ticks,
        LateTicks = LateTicks + lateTicks,
        SkippedTicks = SkippedTicks + skippedTicks,
    };

    private static IReadOnlyList<long>? Sum(IReadOnlyList<long>? totals, IReadOnlyList<long>? leg)
    {
        if (leg is null)
        {
            return totals;
        }

        var sum = new long[Math.Max(totals?.Count ?? 0, leg.Count)];
        for (var i = 0; i < sum.Length; i++)
        {
            sum[i] = (totals is not null && i < totals.Count ? totals[i] : 0) + (i < leg.Count ? leg[i] : 0);
        }

        return sum;
    }
}
