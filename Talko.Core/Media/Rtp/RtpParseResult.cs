namespace Talko.Core.Media.Rtp;

/// <summary>Why a datagram was or was not accepted as an RTP packet.</summary>
public enum RtpParseResult
{
    Ok,
    TooShort,
    BadVersion,

    /// <summary>Payload types 72-76 are RTCP packet types seen through the marker bit (RFC 5761 section 4).</summary>
    LooksLikeRtcp,
    CsrcListTruncated,
    ExtensionTruncated,
    BadPadding,
}
