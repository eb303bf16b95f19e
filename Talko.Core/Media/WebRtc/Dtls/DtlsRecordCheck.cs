using System.Buffers.Binary;

namespace Talko.Core.Media.WebRtc.Dtls;

/// <summary>
/// A cheap look at a datagram before it reaches the DTLS stack: one or more records (RFC 6347 section 4.1) of a known
/// content type (20-25), a DTLS version (1.0 = FEFF, 1.2 = FEFD), and lengths that add up exactly.
/// </summary>
public static class DtlsRecordCheck
{
    public const int RecordHeaderLength = 13;

    public static bool IsWellFormed(ReadOnlySpan<byte> datagram)
    {
        if (datagram.IsEmpty)
        {
            return false;
        }

        while (!datagram.IsEmpty)
        {
            if (datagram.Length < RecordHeaderLength || datagram[0] is < 20 or > 25 || datagram[1] != 0xFE || datagram[2] is not (0xFF or 0xFD))
            {
                return false;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(datagram[11..]);
            if (length > datagram.Length - RecordHeaderLength)
            {
                return false;
            }

            datagram = datagram[(RecordHeaderLength + length)..];
        }

        return true;
    }
}
