using Talko.Core.Media.Codecs.Opus;
using Talko.Core.Media.Mixing;

namespace Talko.Core.Media.Recording;

/// <summary>
/// Hands the 48 kHz mix to a sink that records at a lower rate (the 8 kHz WAV recording), through one band-limited
/// resampler so the frames join seamlessly. Allocates nothing per frame; called on the mixer's tick only.
/// </summary>
public sealed class DownsampledMixSink : IMixSink
{
    private readonly IMixSink inner;
    private readonly Resampler down;
    private readonly short[] frame;

    public DownsampledMixSink(IMixSink inner, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(inner);
        this.inner = inner;
        down = Resampler.Create(OpusFormat.SampleRate, sampleRate, OpusFormat.FrameSamples);
        frame = new short[down.OutputLength(OpusFormat.FrameSamples)];
    }

    public void WriteMix(ReadOnlySpan<short> mix)
    {
        if (mix.Length == frame.Length)
        {
            // A narrowband mix (ADR 0921) is already at the recording's rate.
            down.Reset();
            inner.WriteMix(mix);
            return;
        }

        var written = down.Process(mix, frame);
        inner.WriteMix(frame.AsSpan(0, written));
    }
}
