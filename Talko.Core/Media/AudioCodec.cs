namespace Talko.Core.Media;

/// <summary>
/// The audio codecs the conference engine speaks. G.711 by its static RTP payload type (RFC 3551); Opus has none
/// (RFC 7587 uses a dynamic one), so its value is only the type Talko offers: the negotiated one is
/// <see cref="Sip.Sdp.SdpNegotiation.PayloadType"/>.
/// </summary>
public enum AudioCodec
{
    Pcmu = 0,
    Pcma = 8,
    Opus = 111,
}
