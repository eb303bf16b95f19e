namespace Talko.Core.Media.Rtp;

/// <summary>How a plain RTP leg learns a media source other than the one in SDP (ADR 0164).</summary>
public sealed class RtpSourceOptions
{
    /// <summary>
    /// Consecutive in-sequence RTP packets with one SSRC from one address before it may become the leg's source
    /// (10 = 200 ms of 20 ms audio). Packets from anyone else in between start the count again.
    /// </summary>
    public int LearningPackets { get; set; } = 10;

    /// <summary>
    /// How long the current source must have been silent before a new one may take over (a phone's new NAT binding
    /// after it moved). A source that has never sent counts as silent, so a phone behind NAT is learned at call start.
    /// </summary>
    public TimeSpan QuietPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Only an address with the IP of the SDP connection or of the authenticated signalling (where the INVITE came
    /// from, or the registration a ring-out went to) may become the source: a stranger elsewhere never can, neither
    /// before the phone speaks nor after it falls silent (ADR 0167). A phone behind NAT sends media from the same public
    /// IP as its SIP. Off: any address may, as under ADR 0164 alone.
    /// </summary>
    public bool LearnOnlyFromSignallingAddresses { get; set; } = true;

    internal void Validate()
    {
        if (LearningPackets is < 1 or > 1000 || QuietPeriod < TimeSpan.Zero)
        {
            throw new ArgumentException("Media:Sources needs 1-1000 LearningPackets and a QuietPeriod >= 0.");
        }
    }
}
