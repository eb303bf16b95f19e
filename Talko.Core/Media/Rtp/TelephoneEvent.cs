using System.Buffers.Binary;

namespace Talko.Core.Media.Rtp;

/// <summary>A named telephone event (RFC 4733 section 2.3): DTMF digits 0-9, * (10), # (11), A-D (12-15).</summary>
public readonly record struct TelephoneEvent(byte Event, bool End, byte Volume, ushort Duration)
{
    public const int PayloadLength = 4;

    public static bool TryParse(ReadOnlySpan<byte> payload, out TelephoneEvent telephoneEvent)
    {
        // Several events may be stacked (section 2.5.1.5); the first describes the current one.
        if (payload.Length < PayloadLength)
        {
            telephoneEvent = default;
            return false;
        }

        telephoneEvent = new TelephoneEvent(
            payload[0],
            (payload[1] & 0x80) != 0,
            (byte)(payload[1] & 0x3F),
            BinaryPrimitives.ReadUInt16BigEndian(payload[2..]));
        return true;
    }

    /// <summary>The DTMF symbol for events 0-15, or '?' for other events.</summary>
    public char Symbol => Event switch
    {
        <= 9 => (char)('0' + Event),
        10 => '*',
        11 => '#',
        <= 15 => (char)('A' + Event - 12),
        _ => '?',
    };

    public void WriteTo(Span<byte> destination)
    {
        destination[0] = Event;
        destination[1] = (byte)((End ? 0x80 : 0) | (Volume & 0x3F));
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], Duration);
    }
}
