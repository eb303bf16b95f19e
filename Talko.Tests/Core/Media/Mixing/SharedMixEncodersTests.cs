using Microsoft.Extensions.Logging.Abstractions;
using Talko.Core.Media;
using Talko.Core.Media.Codecs;
using Talko.Core.Media.Codecs.Opus;
using Talko.Core.Media.Mixing;

namespace Talko.Tests.Core.Media.Mixing;

/// <summary>The shared mix for non-talkers: one encoding per (codec, bitrate), decodable to the mix, nothing allocated per tick.</summary>
public sealed class SharedMixEncodersTests
{
    private readonly OpusCodecs codecs = new(new OpusOptions(), NullLogger.Instance);

    [Fact]
    public void ListenersShareOneEncodingPerCodecAndBitrateAndTheLastOneFreesIt()
    {
        using var shared = new SharedMixEncoders(codecs);
        var a = shared.Acquire(AudioCodec.Opus, 32000);
        var b = shared.Acquire(AudioCodec.Opus, 32000);
        var c = shared.Acquire(AudioCodec.Opus, 16000);
        var d = shared.Acquire(AudioCodec.Pcmu, 32000);
        var e = shared.Acquire(AudioCodec.Pcmu, 64000); // bitrate means nothing to G.711
        Assert.Equal(a, b);
        Assert.Equal(d, e);
        Assert.Equal(3, shared.Count);
        shared.Release(a);
        Assert.Equal(3, shared.Count);
        shared.Release(b);
        Assert.Equal(2, shared.Count);
        Assert.Throws<InvalidOperationException>(() => shared.Encoded(a).Length);
        shared.Release(c);
        shared.Release(d);
        shared.Release(e);
        Assert.Equal(0, shared.Count);
    }

    [Fact]
    public void EachEncodingCarriesTheMixAndATickAllocatesNothing()
    {
        using var shared = new SharedMixEncoders(codecs);
        var opus = shared.Acquire(AudioCodec.Opus, 32000);
        var pcma = shared.Acquire(AudioCodec.Pcma, 0);
        using var decoder = codecs.CreateDecoder();
        var mix = new short[OpusFormat.FrameSamples];
        var decoded = new short[OpusFormat.FrameSamples];
        var narrow = new short[160];
        var narrowAll = new List<short>();

        // Warm-up tick (JIT) outside the allocation count.
        AudioSignals.Tone(mix, 1000, 8000, 0, 48000);
        shared.Encode(mix);
        decoder.Decode(shared.Encoded(opus), decoded);
        var allocated = 0L;
        for (var n = 1; n < 50; n++)
        {
            AudioSignals.Tone(mix, 1000, 8000, (long)n * mix.Length, 48000);
            var before = GC.GetAllocatedBytesForCurrentThread();
            shared.Encode(mix);
            var opusPacket = shared.Encoded(opus);
            var g711 = shared.Encoded(pcma);
            allocated += GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(160, g711.Length);
            Assert.Equal(OpusFormat.FrameSamples, decoder.Decode(opusPacket, decoded));
            G711.Decode(AudioCodec.Pcma, g711, narrow);
            narrowAll.AddRange(narrow);
        }

        Assert.Equal(0, allocated);
        Assert.InRange(AudioSignals.Amplitude(decoded, 1000, 48000), 8000 * 0.7, 8000 * 1.3);
        Assert.InRange(AudioSignals.Amplitude(narrowAll.Skip(800).ToArray(), 1000, 8000), 8000 * 0.9, 8000 * 1.1);
    }
}
