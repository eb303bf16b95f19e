namespace Talko.Core.Media.WebRtc.Srtp;

/// <summary>What one context remembers about one SSRC: indexes sent, and the replay windows of what was received.</summary>
internal sealed class SrtpStream
{
    public SrtpReplayWindow Received;
    public SrtpReplayWindow ReceivedRtcp;

    /// <summary>The highest packet index protected so far, or -1 before the first.</summary>
    public long HighestSent = -1;

    /// <summary>The SRTCP index the next protected RTCP packet carries (RFC 3711 section 3.4: the first is zero).</summary>
    public uint NextRtcpIndex;
}
