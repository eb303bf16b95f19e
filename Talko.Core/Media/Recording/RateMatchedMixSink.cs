using Talko.Core.Media.Codecs;
using Talko.Core.Media.Codecs.Opus;
using Talko.Core.Media.Mixing;

namespace Talko.Core.Media.Recording;

/// <summary>
/// Hands the mix to a recording that keeps one rate for its whole segment (48 kHz Ogg Opus, 8 kHz WAV). The mix
/// itself runs at 48 kHz, or at 8 kHz while every leg is G.711 (ADR 0921), and switches when the first wideband leg
/// joins or the last one leaves; each mix rate that differs from the recording's goes through its own band-limited
/// resampler, and a switch clears their history so no filter state crosses it. Allocates nothing per frame; called
/// on the mixer's tick only.
/// </summary>
public sealed class RateMatchedMixSink : IMixSink
{
    private const int NarrowFrameSamples = G711.SampleRate / 1000 * OpusFormat.FrameMilliseconds;

    private readonly IMixSink inner;
    private readonly Resampler? fromWide;
    private readonly Resampler? fromNarrow;
    private readonly short[] frame;
    private int lastLength;

    public RateMatchedMixSink(IMixSink inner, int recordingRate)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (recordingRate is not (G711.SampleRate or OpusFormat.SampleRate))
        {
            throw new ArgumentOutOfRangeException(nameof(recordingRate), recordingRate, "Recordings are 8 or 48 kHz.");
        }

        this.inner = inner;
        fromWide = recordingRate == OpusFormat.SampleRate ? null : Resampler.Create(OpusFormat.SampleRate, recordingRate, OpusFormat.FrameSamples);
        fromNarrow = recordingRate == G711.SampleRate ? null : Resampler.Create(G711.SampleRate, recordingRate, NarrowFrameSamples);
        frame = new short[recordingRate / 1000 * OpusFormat.FrameMilliseconds];
    }

    public void WriteMix(ReadOnlySpan<short> mix)
    {
        var resampler = mix.Length switch
        {
            OpusFormat.FrameSamples => fromWide,
            NarrowFrameSamples => fromNarrow,
            _ => throw new ArgumentException($"A mix frame is 20 ms at 8 or 48 kHz, not {mix.Length} samples.", nameof(mix)),
        };

        if (mix.Length != lastLength)
        {
            fromWide?.Reset();
            fromNarrow?.Reset();
            lastLength = mix.Length;
        }

        if (resampler is null)
        {
            inner.WriteMix(mix);
            return;
        }

        var written = resampler.Process(mix, frame);
        inner.WriteMix(frame.AsSpan(0, written));
    }
}
