namespace Talko.Core.Media.WebRtc.Demux;

/// <summary>The protocols that share one WebRTC transport (one port, BUNDLE and rtcp-mux).</summary>
public enum WebRtcPacketKind
{
    /// <summary>Empty, or a first byte no protocol Talko speaks claims (ZRTP, TURN channels, QUIC, junk).</summary>
    Unknown,
    Stun,
    Dtls,
    Rtp,
    Rtcp,
}
