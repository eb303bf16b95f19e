namespace Talko.Core.Media;

/// <summary>The audio codecs the conference engine speaks, by their static RTP payload type (RFC 3551).</summary>
public enum AudioCodec
{
    Pcmu = 0,
    Pcma = 8,
}
