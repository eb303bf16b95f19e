namespace Talko.Core.Media.Codecs.Opus;

/// <summary>
/// Decodes to 20 ms mono frames (at 48 kHz unless made for another rate). For a lost packet the caller picks, in this order: <see cref="DecodeFec"/>
/// when the packet after it has arrived (in-band FEC, RFC 6716 section 2.1.7), <see cref="Conceal"/> otherwise. One
/// instance per stream; not thread-safe.
/// </summary>
public interface IOpusFrameDecoder : IDisposable
{
    /// <summary>Decodes one packet into <paramref name="frame"/>; returns samples written, or -1 for a packet libopus rejects.</summary>
    int Decode(ReadOnlySpan<byte> packet, Span<short> frame);

    /// <summary>Rebuilds the lost frame before <paramref name="nextPacket"/> from the redundancy it carries (concealment when it carries none).</summary>
    int DecodeFec(ReadOnlySpan<byte> nextPacket, Span<short> frame);

    /// <summary>Packet loss concealment: extrapolates one frame from what came before.</summary>
    int Conceal(Span<short> frame);

    /// <summary>Returns the decoder to its initial state (OPUS_RESET_STATE), as if the stream started with the next packet.</summary>
    void Reset();
}
