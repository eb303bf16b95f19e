namespace Talko.Core.Media.Rtp;

/// <summary>
/// The interarrival jitter estimator of RFC 3550 section 6.4.1 (appendix A.8), in RTP timestamp units:
/// a running mean of |D(i-1,i)| with gain 1/16.
/// </summary>
public struct InterarrivalJitter
{
    private long lastTransit;
    private bool hasTransit;
    private double jitter;

    /// <summary>The current estimate in timestamp units.</summary>
    public readonly double Value => jitter;

    /// <param name="arrival">Arrival time converted to the same clock as <paramref name="rtpTimestamp"/>.</param>
    /// <param name="rtpTimestamp">The packet's timestamp, extended so that wraparound does not look like jitter.</param>
    public void Update(long arrival, long rtpTimestamp)
    {
        var transit = arrival - rtpTimestamp;
        if (hasTransit)
        {
            var difference = Math.Abs(transit - lastTransit);
            jitter += (difference - jitter) / 16.0;
        }

        lastTransit = transit;
        hasTransit = true;
    }

    public void Reset() => this = default;
}
