using Concentus;

namespace Talko.Core.Media.Codecs.Opus;

/// <summary>Concentus's managed decoder, built directly (see <see cref="ManagedOpusEncoder"/>).</summary>
internal sealed class ManagedOpusDecoder : IOpusFrameDecoder
{
#pragma warning disable CS0618 // see ManagedOpusEncoder
    private readonly Concentus.Structs.OpusDecoder decoder = new(OpusFormat.SampleRate, OpusFormat.Channels);
#pragma warning restore CS0618

    public int Decode(ReadOnlySpan<byte> packet, Span<short> frame) => packet.IsEmpty ? Conceal(frame) : Run(packet, frame, fec: false);

    public int DecodeFec(ReadOnlySpan<byte> nextPacket, Span<short> frame) => nextPacket.IsEmpty ? Conceal(frame) : Run(nextPacket, frame, fec: true);

    public int Conceal(Span<short> frame) => Run([], frame, fec: false);

    public void Dispose()
    {
    }

    private int Run(ReadOnlySpan<byte> packet, Span<short> frame, bool fec)
    {
        try
        {
            return ((IOpusDecoder)decoder).Decode(packet, frame, Math.Min(frame.Length, OpusFormat.FrameSamples), fec);
        }
        catch (OpusException)
        {
            // A malformed packet from the network: the caller treats it as lost.
            return -1;
        }
    }
}
