using Talko.Core.Media.Quality;
using Talko.Core.Media.Rtp;

namespace Talko.Core.Media.Engine;

/// <summary>
/// A leg's quality from RTCP (ADR 0901): the server's own receiver figures for the participant's stream, taken when
/// it writes its report, and the participant's receiver reports on the server's stream with the round trip they give.
/// Runs once per RTCP interval under the RTCP lock; the packet path is untouched.
/// </summary>
public sealed partial class MediaLeg
{
    /// <summary>A round trip above this is a clock or echo error in the peer's report, not a network figure.</summary>
    private const double MaxPlausibleRoundTripMs = 10_000;

    private double inboundLossPercent;
    private double inboundJitterMs;
    private double outboundLossPercent;
    private double outboundJitterMs;
    private double? roundTripMs;
    private bool qualityMeasured;

    /// <summary>The leg's quality over the last RTCP interval; <see cref="MediaLegQuality.Unknown"/> until one has passed.</summary>
    public MediaLegQuality Quality
    {
        get
        {
            lock (rtcpGate)
            {
                if (!qualityMeasured)
                {
                    return MediaLegQuality.Unknown;
                }

                var jitter = Math.Max(inboundJitterMs, outboundJitterMs);
                return MediaLegQuality.From(Math.Max(inboundLossPercent, outboundLossPercent), jitter, roundTripMs, JitterBufferDelayMs(jitter));
            }
        }
    }

    /// <summary>Called under the RTCP lock as the server writes its receiver report on the participant's stream.</summary>
    private void MeasureInbound(byte fractionLost)
    {
        inboundLossPercent = fractionLost * 100.0 / 256;
        inboundJitterMs = source.Jitter.Value * 1000 / format.ClockRate;
        qualityMeasured = true;
        MediaMetrics.JitterMeasured(inboundJitterMs, inbound: true);
    }

    /// <summary>Called under the RTCP lock for a participant's report block about the server's stream.</summary>
    private void HearReceiverReport(RtcpReportBlock block)
    {
        outboundLossPercent = block.FractionLost * 100.0 / 256;
        outboundJitterMs = block.Jitter * 1000.0 / format.ClockRate;
        qualityMeasured = true;
        MediaMetrics.JitterMeasured(outboundJitterMs, inbound: false);

        // RFC 3550 section 6.4.1: round trip = arrival - LSR - DLSR, all in 1/65536 s of the compact NTP format.
        if (block.LastSenderReport != 0)
        {
            var arrival = (uint)(RtcpPacket.ToNtpTimestamp(timeProvider.GetUtcNow()) >> 16);
            var units = unchecked(arrival - block.LastSenderReport - block.DelaySinceLastSenderReport);
            var milliseconds = units * 1000.0 / 65536;
            if (milliseconds < MaxPlausibleRoundTripMs)
            {
                roundTripMs = milliseconds;
                MediaMetrics.RoundTripMeasured(milliseconds);
            }
        }
    }

    /// <summary>What the jitter buffer holds for this much jitter: its multiplier of it, within its depth limits.</summary>
    private double JitterBufferDelayMs(double jitterMs) =>
        Math.Clamp(options.Jitter.JitterMultiplier * jitterMs, options.Jitter.MinDepth.TotalMilliseconds, options.Jitter.MaxDepth.TotalMilliseconds);
}
