using Concentus;

namespace Talko.Core.Media.Codecs.Opus;

/// <summary>Concentus's managed decoder, built directly (see <see cref="ManagedOpusEncoder"/>).</summary>
internal sealed class ManagedOpusDecoder : IOpusFrameDecoder
{
    private readonly Concentus.Structs.OpusDecoder decoder;
    private readonly int frameSamples;

    public ManagedOpusDecoder(int sampleRate = OpusFormat.SampleRate)
    {
        frameSamples = sampleRate / 1000 * OpusFormat.FrameMilliseconds;
#pragma warning disable CS0618 // see ManagedOpusEncoder
        decoder = new(sampleRate, OpusFormat.Channels);
#pragma warning restore CS0618
    }

    public int Decode(ReadOnlySpan<byte> packet, Span<short> frame) => packet.IsEmpty ? Conceal(frame) : Run(packet, frame, fec: false);

    public int DecodeFec(ReadOnlySpan<byte> nextPacket, Span<short> frame) => nextPacket.IsEmpty ? Conceal(frame) : Run(nextPacket, frame, fec: true);

    public int Conceal(Span<short> frame) => Run([], frame, fec: false);

    public void Reset() => ((IOpusDecoder)decoder).ResetState();

    public void Dispose()
    {
    }

    private int Run(ReadOnlySpan<byte> packet, Span<short> frame, bool fec)
    {
        try
        {
            return ((IOpusDecoder)decoder).Decode(packet, frame, Math.Min(frame.Length, frameSamples), fec);
        }
        catch (OpusException)
        {
            // A malformed packet from the network: the caller treats it as lost.
            return -1;
        }
    }
}
