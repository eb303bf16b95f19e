using Talko.Core.Media.Codecs;
using Talko.Core.Media.Codecs.Opus;
using Talko.Core.Media.Jitter;
using Talko.Core.Media.Mixing;

namespace Talko.Core.Media.Engine.Audio;

/// <summary>
/// G.711: payloads are decoded as they arrive into the adaptive 8 kHz <see cref="JitterBuffer"/> (its concealment
/// repeats the last frame), and each tick's 160 samples are resampled up to the mix's 48 kHz (not when they are all
/// zero: that costs nothing but the check).
/// </summary>
internal sealed class G711InboundAudio : InboundAudio
{
    private readonly AudioCodec codec;
    private readonly JitterBuffer jitter;
    private readonly Resampler up;
    private readonly short[] decoded;
    private readonly short[] narrow;
    private bool resamplerHoldsAudio;
    private long decodes;

    public G711InboundAudio(AudioCodec codec, JitterBufferOptions options, TimeProvider timeProvider)
    {
        if (options.SampleRate != G711.SampleRate || options.FrameSamples != G711.SampleRate / 1000 * OpusFormat.FrameMilliseconds)
        {
            throw new ArgumentException("The G.711 jitter buffer runs at 8 kHz with 160-sample (20 ms) frames.", nameof(options));
        }

        this.codec = codec;
        jitter = new JitterBuffer(options, timeProvider);
        narrow = new short[options.FrameSamples];
        up = Resampler.Create(G711.SampleRate, OpusFormat.SampleRate, narrow.Length);

        // Larger payloads than one datagram can carry are rejected by the jitter buffer as too long.
        decoded = new short[2048];
    }

    public override JitterBufferStatistics Statistics => jitter.Statistics;

    /// <summary>Payloads decoded: G.711 decodes as packets arrive (a table lookup per sample), so it is never skipped.</summary>
    public override long Decodes => Interlocked.Read(ref decodes);

    public override JitterInsertResult Insert(uint timestamp, ReadOnlySpan<byte> payload, byte audioLevel = OpusJitterBuffer.NoLevel)
    {
        // Only the receive loop inserts, so the decode buffer is not shared.
        var samples = decoded.AsSpan(0, Math.Min(payload.Length, decoded.Length));
        G711.Decode(codec, payload[..samples.Length], samples);
        Interlocked.Increment(ref decodes);
        return jitter.Insert(timestamp, samples);
    }

    public override bool Read(Span<short> frame)
    {
        if (frame.Length == narrow.Length)
        {
            // The mixer runs narrowband (ADR 0921): no resampling; the upsampler's history is stale when it goes wide.
            up.Reset();
            resamplerHoldsAudio = false;
            return jitter.Read(frame) != JitterFrameKind.Silence && frame.ContainsAnyExcept((short)0);
        }

        // Digital silence (a muted phone, or one without VAD sending zeros) is treated like no packet: upsampling zeros
        // gives zeros once the filter's tail has played out, and the mixer counts a zero frame as silent either way.
        if (jitter.Read(narrow) == JitterFrameKind.Silence || !narrow.AsSpan().ContainsAnyExcept((short)0))
        {
            if (!resamplerHoldsAudio)
            {
                return false;
            }

            // Let the filter's tail of the last audio play out, then stop resampling silence.
            resamplerHoldsAudio = false;
            up.Process(narrow, frame);
            return true;
        }

        resamplerHoldsAudio = true;
        up.Process(narrow, frame);
        return true;
    }

    public override void Reset()
    {
        jitter.Reset();
    }
}
