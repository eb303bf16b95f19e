namespace Talko.Core.Media.Quality;

/// <summary>
/// A simplified ITU-T G.107 E-model for G.711 (ADR 0901): R = R0 - Is - Id - Ie,eff with the default R0 - Is of
/// 93.2, the delay impairment Id approximated piecewise-linearly from the one-way delay, and the loss impairment
/// Ie,eff of G.107 for random loss with G.711's Ie = 0 and Bpl = 25.1 (G.113 Appendix I, with concealment).
/// Echo, noise and the advantage factor stay at their defaults.
/// </summary>
public static class EModel
{
    /// <summary>R0 - Is with every G.107 default input.</summary>
    public const double DefaultR = 93.2;

    /// <summary>G.711's packet-loss robustness with concealment (G.113 Appendix I).</summary>
    public const double G711LossRobustness = 25.1;

    /// <summary>The frame the mixer sends and the peer packetises: 20 ms of audio before the first sample leaves.</summary>
    private const double PacketisationMs = 20;

    /// <summary>The transmission rating R (0-100).</summary>
    /// <param name="lossPercent">Packets lost, 0-100 (the worse direction).</param>
    /// <param name="oneWayDelayMs">Mouth-to-ear delay: half the round trip, the jitter buffer and packetisation.</param>
    public static double Rating(double lossPercent, double oneWayDelayMs)
    {
        var loss = Math.Clamp(lossPercent, 0, 100);
        var delay = Math.Max(0, oneWayDelayMs);

        // Id: 0.024 per ms, plus 0.11 per ms beyond 177.3 ms where conversation starts to break down.
        var delayImpairment = 0.024 * delay + (delay > 177.3 ? 0.11 * (delay - 177.3) : 0);

        // Ie,eff = Ie + (95 - Ie) * Ppl / (Ppl / BurstR + Bpl), with Ie = 0 and random loss (BurstR = 1).
        var lossImpairment = 95 * loss / (loss + G711LossRobustness);
        return Math.Clamp(DefaultR - delayImpairment - lossImpairment, 0, 100);
    }

    /// <summary>Mouth-to-ear delay from what RTCP and the jitter buffer tell: half the round trip, buffering, one frame.</summary>
    public static double OneWayDelayMs(double? roundTripMs, double jitterBufferMs) =>
        (roundTripMs ?? 0) / 2 + jitterBufferMs + PacketisationMs;

    /// <summary>
    /// The estimated mean opinion score for R (G.107 Annex B), 1-4.5. The Annex's polynomial dips just under 1 for R
    /// below about 6.5; the scale has no score under 1, so it is clamped.
    /// </summary>
    public static double MeanOpinionScore(double rating) => rating switch
    {
        <= 0 => 1,
        >= 100 => 4.5,
        _ => Math.Clamp(1 + 0.035 * rating + rating * (rating - 60) * (100 - rating) * 7e-6, 1, 4.5),
    };

    public static CallQualityGrade Grade(double rating) => rating switch
    {
        >= 80 => CallQualityGrade.Excellent,
        >= 70 => CallQualityGrade.Good,
        >= 60 => CallQualityGrade.Fair,
        _ => CallQualityGrade.Poor,
    };
}
