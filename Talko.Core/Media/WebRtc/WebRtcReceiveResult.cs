namespace Talko.Core.Media.WebRtc;

/// <summary>What a datagram given to <see cref="WebRtcTransport.Receive"/> turned out to be.</summary>
public enum WebRtcReceiveResult
{
    /// <summary>An RTP packet, authenticated and decrypted in place: the leg's media pipeline takes it.</summary>
    Rtp,

    /// <summary>An RTCP packet, authenticated and decrypted in place.</summary>
    Rtcp,

    /// <summary>Transport business (an ICE check answered, a DTLS record handed to the handshake or an ignored STUN message).</summary>
    Handled,

    /// <summary>Dropped and counted under a <see cref="WebRtcDropReason"/>.</summary>
    Dropped,
}
