using Concentus.Enums;

namespace Talko.Core.Media.Codecs.Opus;

/// <summary>Concentus's managed encoder, built directly so its factory never swaps in a native binding of its own.</summary>
internal sealed class ManagedOpusEncoder : IOpusFrameEncoder
{
    private readonly Concentus.Structs.OpusEncoder encoder;
    private readonly int frameSamples;

    public ManagedOpusEncoder(OpusEncoderSettings settings)
    {
#pragma warning disable CS0618 // the struct constructors are marked obsolete to steer callers to the factory, which may pick native code
        frameSamples = settings.FrameSamples;
        encoder = new Concentus.Structs.OpusEncoder(settings.SampleRate, OpusFormat.Channels, OpusApplication.OPUS_APPLICATION_VOIP)
#pragma warning restore CS0618
        {
            Bitrate = settings.Bitrate,
            Complexity = settings.Complexity,
            UseVBR = true,
            SignalType = OpusSignal.OPUS_SIGNAL_VOICE,
            UseInbandFEC = settings.InbandFec,
            PacketLossPercent = settings.ExpectedPacketLossPercent,
        };
        Lookahead = encoder.Lookahead;
    }

    public int Lookahead { get; }

    public int Encode(ReadOnlySpan<short> frame, Span<byte> packet)
    {
        if (frame.Length != frameSamples)
        {
            throw new ArgumentException($"An Opus frame here is {frameSamples} samples.", nameof(frame));
        }

        return encoder.Encode(frame, frameSamples, packet, Math.Min(packet.Length, OpusFormat.MaxPacketBytes));
    }

    public void Dispose()
    {
    }
}
