namespace Talko.Core.Media.Rtp;

/// <summary>The UDP range RTP/RTCP pairs come from: RTP on even ports, RTCP on the next one up (RFC 3550 section 11).</summary>
public sealed class RtpPortAllocatorOptions
{
    /// <summary>First RTP port; must be even.</summary>
    public int MinPort { get; set; } = 20000;

    /// <summary>Last port of the range (inclusive); the last usable pair is the highest even port below it.</summary>
    public int MaxPort { get; set; } = 29999;
}
