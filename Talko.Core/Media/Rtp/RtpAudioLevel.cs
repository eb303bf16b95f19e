using System.Buffers.Binary;

namespace Talko.Core.Media.Rtp;

/// <summary>
/// The client-to-mixer audio level (RFC 6464) of one RTP packet: the sender's own measure of the packet's loudness in
/// -dBov (0 is full scale, 127 is digital silence) and, when it runs voice activity detection, whether it holds speech.
/// A ranking hint only: a sender can lie, so it decides what the mixer decodes first, never who may do what.
/// </summary>
public readonly record struct RtpAudioLevel(byte Level, bool Voice)
{
    /// <summary>The URI that names the extension in SDP (a=extmap, RFC 8285 section 8).</summary>
    public const string ExtensionUri = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";

    /// <summary>Level 127: the sender measured digital silence (RFC 6464 section 3).</summary>
    public const byte Silence = 127;

    /// <summary>The "defined by profile" value of a header extension in the one-byte form (RFC 8285 section 4.2).</summary>
    public const ushort OneByteProfile = 0xBEDE;

    /// <summary>The level in dBov (0 to -127).</summary>
    public int Dbov => -Level;

    /// <summary>
    /// Finds element <paramref name="extensionId"/> (1-14) in the packet's one-byte header extension (RFC 8285 section 4.2)
    /// and reads it as an audio level (RFC 6464 section 3: one data byte, V in the top bit, the level in the other seven).
    /// False when the packet has no such element, the extension is in another form, or any element's length runs past
    /// the extension block: a malformed block is not trusted at all.
    /// </summary>
    /// <param name="datagram">The whole RTP packet, already accepted by <see cref="RtpPacket.TryParse"/>.</param>
    /// <param name="header">Its parsed header.</param>
    /// <param name="extensionId">The id the SDP negotiation bound to <see cref="ExtensionUri"/>.</param>
    /// <param name="level">The level found.</param>
    public static bool TryRead(ReadOnlySpan<byte> datagram, RtpHeader header, int extensionId, out RtpAudioLevel level)
    {
        level = default;
        if (!header.HasExtension || extensionId is < 1 or > 14)
        {
            return false;
        }

        var start = RtpHeader.FixedLength + (4 * header.CsrcCount);
        if (start + 4 > datagram.Length)
        {
            return false;
        }

        var profile = BinaryPrimitives.ReadUInt16BigEndian(datagram[start..]);
        var length = 4 * BinaryPrimitives.ReadUInt16BigEndian(datagram[(start + 2)..]);
        if (profile != OneByteProfile || start + 4 + length > datagram.Length)
        {
            return false;
        }

        return TryReadOneByteElements(datagram.Slice(start + 4, length), extensionId, out level);
    }

    /// <summary>Walks the elements of a one-byte extension block (the words after the 0xBEDE header).</summary>
    public static bool TryReadOneByteElements(ReadOnlySpan<byte> block, int extensionId, out RtpAudioLevel level)
    {
        level = default;
        var found = false;
        var i = 0;
        while (i < block.Length)
        {
            var id = block[i] >> 4;
            if (id == 0)
            {
                // Padding between elements (section 4.2): one byte, no length.
                i++;
                continue;
            }

            if (id == 15)
            {
                // Reserved: the rest of the block must be ignored (section 4.2).
                break;
            }

            var dataLength = (block[i] & 0x0F) + 1;
            if (i + 1 + dataLength > block.Length)
            {
                return false;
            }

            if (id == extensionId)
            {
                // RFC 6464 section 3: exactly one byte in the one-byte form; any other length is not this extension.
                if (dataLength != 1)
                {
                    return false;
                }

                var data = block[i + 1];
                level = new RtpAudioLevel((byte)(data & 0x7F), (data & 0x80) != 0);
                found = true;
            }

            i += 1 + dataLength;
        }

        return found;
    }
}
