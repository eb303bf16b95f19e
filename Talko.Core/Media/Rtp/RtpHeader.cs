namespace Talko.Core.Media.Rtp;

/// <summary>
/// The fixed RTP header fields (RFC 3550 section 5.1) of a parsed packet, plus where its payload
/// sits in the datagram once CSRCs, the header extension and padding are stripped.
/// </summary>
public readonly record struct RtpHeader(
    bool Marker,
    byte PayloadType,
    ushort SequenceNumber,
    uint Timestamp,
    uint Ssrc,
    int CsrcCount,
    bool HasExtension,
    int PayloadOffset,
    int PayloadLength)
{
    public const int FixedLength = 12;
    public const int Version = 2;
}
