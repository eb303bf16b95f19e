namespace Talko.Core.Media.WebRtc.Demux;

/// <summary>
/// Tells STUN, DTLS, RTP and RTCP apart by their first byte (RFC 7983 section 7: 0-3 STUN, 20-63 DTLS, 128-191
/// RTP/RTCP) and RTP from RTCP by the second (RFC 5761 section 4: packet types 192-223 are RTCP, which a muxed RTP
/// payload type never is).
/// </summary>
public static class WebRtcDemultiplexer
{
    public static WebRtcPacketKind Classify(ReadOnlySpan<byte> datagram)
    {
        if (datagram.IsEmpty)
        {
            return WebRtcPacketKind.Unknown;
        }

        return datagram[0] switch
        {
            <= 3 => WebRtcPacketKind.Stun,
            >= 20 and <= 63 => WebRtcPacketKind.Dtls,
            >= 128 and <= 191 when datagram.Length >= 2 => datagram[1] is >= 192 and <= 223 ? WebRtcPacketKind.Rtcp : WebRtcPacketKind.Rtp,
            _ => WebRtcPacketKind.Unknown,
        };
    }
}
