using System.Buffers.Binary;

namespace Talko.Core.Media.WebRtc.IceTcp;

/// <summary>
/// RFC 4571 framing, which ICE-TCP uses (RFC 6544 section 3): each STUN, DTLS or SRTP packet on the TCP stream is
/// preceded by its length as a 16-bit big-endian number.
/// </summary>
public static class IceTcpFraming
{
    public const int PrefixLength = 2;

    /// <summary>Writes the prefix and <paramref name="packet"/>; returns the bytes written.</summary>
    public static int WriteFrame(Span<byte> destination, ReadOnlySpan<byte> packet)
    {
        if (packet.Length > ushort.MaxValue)
        {
            throw new ArgumentException("an RFC 4571 frame holds at most 65535 bytes", nameof(packet));
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)packet.Length);
        packet.CopyTo(destination[PrefixLength..]);
        return PrefixLength + packet.Length;
    }
}
