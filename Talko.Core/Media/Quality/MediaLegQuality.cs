namespace Talko.Core.Media.Quality;

/// <summary>
/// One leg's quality over the last RTCP interval. Loss and jitter are the worse of the two directions: what the
/// server measured on the participant's stream (and reports in its own RTCP), and what the participant's receiver
/// reports say about the server's stream. Round trip comes from those reports (RFC 3550 section 6.4.1) and is null
/// until the participant echoes a sender report.
/// </summary>
public sealed record MediaLegQuality(
    double LossPercent,
    double JitterMs,
    double? RoundTripMs,
    double Rating,
    double MeanOpinionScore,
    CallQualityGrade Grade)
{
    public static MediaLegQuality Unknown { get; } = new(0, 0, null, 0, 0, CallQualityGrade.Unknown);

    /// <summary>Grades the figures with the E-model (ADR 0901); the jitter buffer holds <paramref name="jitterBufferMs"/>.</summary>
    public static MediaLegQuality From(double lossPercent, double jitterMs, double? roundTripMs, double jitterBufferMs)
    {
        var rating = EModel.Rating(lossPercent, EModel.OneWayDelayMs(roundTripMs, jitterBufferMs));
        return new(
            Math.Round(lossPercent, 2), Math.Round(jitterMs, 2), roundTripMs is { } rtt ? Math.Round(rtt, 1) : null,
            Math.Round(rating, 1), Math.Round(EModel.MeanOpinionScore(rating), 2), EModel.Grade(rating));
    }
}
