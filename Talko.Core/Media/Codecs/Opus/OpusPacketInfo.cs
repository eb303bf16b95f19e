namespace Talko.Core.Media.Codecs.Opus;

public enum OpusMode
{
    Silk,
    Hybrid,
    Celt,
}

public enum OpusBandwidth
{
    Narrowband,
    Mediumband,
    Wideband,
    SuperWideband,
    Fullband,
}

/// <summary>
/// What an Opus packet's first bytes say without decoding it (RFC 6716 section 3.1, the TOC byte, and 3.2 for the frame
/// count): enough to rank legs by activity before paying for a decode, so a large call decodes only its loudest talkers.
/// A packet of the TOC byte alone carries no audio (DTX or a sender's silence, section 3.2.1).
/// </summary>
public readonly record struct OpusPacketInfo(OpusMode Mode, OpusBandwidth Bandwidth, double FrameMilliseconds, int FrameCount, bool Stereo, int Length)
{
    /// <summary>Audio duration of the packet in milliseconds.</summary>
    public double Milliseconds => FrameMilliseconds * FrameCount;

    /// <summary>True when the packet carries no coded audio: the TOC byte alone (a DTX frame, section 3.2.1).</summary>
    public bool IsSilence => Length <= 1;

    /// <summary>
    /// Bytes of payload per millisecond: VBR spends more on speech than on pauses, but only somewhat (measured with
    /// libopus at 32 kb/s: 4.1 B/ms for voice against 2.9 for low background noise), so this orders legs coarsely; a
    /// sender using DTX makes its pauses one-byte packets (<see cref="IsSilence"/>), and the RTP audio-level extension
    /// (RFC 6464), where sent, is the better measure.
    /// </summary>
    public double BytesPerMillisecond => Milliseconds > 0 ? (Length - 1) / Milliseconds : 0;

    public static bool TryParse(ReadOnlySpan<byte> packet, out OpusPacketInfo info)
    {
        info = default;
        if (packet.IsEmpty)
        {
            return false;
        }

        var toc = packet[0];
        var config = toc >> 3;
        var (mode, bandwidth, frameMs) = config switch
        {
            < 12 => (OpusMode.Silk, (OpusBandwidth)(config / 4), SilkFrame(config % 4)),
            < 16 => (OpusMode.Hybrid, config < 14 ? OpusBandwidth.SuperWideband : OpusBandwidth.Fullband, config % 2 == 0 ? 10.0 : 20.0),
            _ => (OpusMode.Celt, CeltBandwidth((config - 16) / 4), 2.5 * (1 << ((config - 16) % 4))),
        };

        int frames;
        switch (toc & 0x03)
        {
            case 0:
                frames = 1;
                break;
            case 1:
            case 2:
                frames = 2;
                break;
            default:
                // Code 3: the frame count is in the next byte and must be at least 1 (section 3.2.5, [R5]).
                if (packet.Length < 2 || (packet[1] & 0x3F) == 0)
                {
                    return false;
                }

                frames = packet[1] & 0x3F;
                break;
        }

        // [R5]: no packet holds more than 120 ms.
        if (frames * frameMs > 120)
        {
            return false;
        }

        info = new OpusPacketInfo(mode, bandwidth, frameMs, frames, (toc & 0x04) != 0, packet.Length);
        return true;
    }

    private static double SilkFrame(int index) => index switch { 0 => 10, 1 => 20, 2 => 40, _ => 60 };

    private static OpusBandwidth CeltBandwidth(int index) => index switch
    {
        0 => OpusBandwidth.Narrowband,
        1 => OpusBandwidth.Wideband,
        2 => OpusBandwidth.SuperWideband,
        _ => OpusBandwidth.Fullband,
    };
}
