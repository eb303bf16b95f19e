using System.Diagnostics;
using System.Diagnostics.Metrics;
using Talko.Core.Diagnostics;

namespace Talko.Core.Media;

/// <summary>
/// Media histograms (meter Talko.Media), recorded where the figure is known: a tick's duration after each tick, jitter
/// and round trip once per RTCP interval per leg. Per-packet counts are not recorded here but read from the legs'
/// own counters when a scrape asks (Talko.Server's ServerMetrics), so the packet path pays nothing.
/// </summary>
public static class MediaMetrics
{
    private static readonly Meter Meter = new(TalkoTelemetry.MediaMeter);

    private static readonly Histogram<double> TickDuration = Meter.CreateHistogram<double>(
        "talko.mixer.tick.duration", "s", "Time one mixer tick took (mixing, encoding and sending one 20 ms frame to every leg).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05] });

    private static readonly Histogram<double> Jitter = Meter.CreateHistogram<double>(
        "talko.rtp.jitter", "s", "Interarrival jitter (RFC 3550 section 6.4.1) of each leg's stream, once per RTCP interval; direction says whose receiver measured it.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16] });

    private static readonly Histogram<double> RoundTrip = Meter.CreateHistogram<double>(
        "talko.rtcp.round_trip_time", "s", "Round trip to each leg's peer from its RTCP receiver reports (LSR and DLSR).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8] });

    public static void TickTook(TimeSpan elapsed) => TickDuration.Record(elapsed.TotalSeconds);

    /// <param name="milliseconds">The jitter.</param>
    /// <param name="inbound">True for the server's measure of the participant's stream, false for the participant's report on ours.</param>
    public static void JitterMeasured(double milliseconds, bool inbound) =>
        Jitter.Record(milliseconds / 1000, new KeyValuePair<string, object?>("talko.rtp.direction", inbound ? "received" : "sent"));

    public static void RoundTripMeasured(double milliseconds) => RoundTrip.Record(milliseconds / 1000);

    internal static long Timestamp() => TickDuration.Enabled ? Stopwatch.GetTimestamp() : 0;
}
