using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Talko.Core.Media.Codecs.Opus;
using Talko.Tests.Infrastructure.Sip;

namespace Talko.Tests.Core.Media.Codecs;

/// <summary>Both Opus implementations against real audio: tones through encode/decode, loss recovery, interop, start-up choice.</summary>
public sealed class OpusCodecTests
{
    private const int Rate = OpusFormat.SampleRate;
    private const int Frame = OpusFormat.FrameSamples;

    public static TheoryData<OpusImplementation> Implementations => [OpusImplementation.Native, OpusImplementation.Managed];

    private static OpusCodecs Codecs(OpusImplementation implementation, int complexity = 5) =>
        new(new OpusOptions { Implementation = implementation, Complexity = complexity }, NullLogger.Instance);

    /// <summary>Encodes <paramref name="frames"/> frames of a tone; the packets in order.</summary>
    private static List<byte[]> EncodeTone(IOpusFrameEncoder encoder, double frequency, int frames, double amplitude = 8000)
    {
        var pcm = new short[Frame];
        var packet = new byte[OpusFormat.MaxPacketBytes];
        var packets = new List<byte[]>();
        for (var n = 0; n < frames; n++)
        {
            AudioSignals.Tone(pcm, frequency, amplitude, (long)n * Frame, Rate);
            var length = encoder.Encode(pcm, packet);
            Assert.InRange(length, 1, OpusFormat.MaxPacketBytes);
            packets.Add(packet[..length]);
        }

        return packets;
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void ToneSurvivesEncodeAndDecodeAtItsFrequency(OpusImplementation implementation)
    {
        var codecs = Codecs(implementation);
        Assert.Equal(implementation == OpusImplementation.Native, codecs.IsNative);
        using var encoder = codecs.CreateEncoder();
        using var decoder = codecs.CreateDecoder();

        // 6 kHz is above what G.711 carries: it only survives a wideband codec.
        foreach (var frequency in new[] { 1000.0, 6000.0 })
        {
            var packets = EncodeTone(encoder, frequency, 50);
            var pcm = new short[Frame];
            foreach (var packet in packets[..^10])
            {
                Assert.Equal(Frame, decoder.Decode(packet, pcm));
            }

            // Past the codec's start-up: the tone is there at about its amplitude and dominates a neighbour frequency.
            var decoded = new short[Frame * 10];
            for (var i = 0; i < 10; i++)
            {
                Assert.Equal(Frame, decoder.Decode(packets[^(10 - i)], decoded.AsSpan(i * Frame, Frame)));
            }

            var amplitude = AudioSignals.Amplitude(decoded, frequency, Rate);
            Assert.InRange(amplitude, 8000 * 0.7, 8000 * 1.3);
            Assert.True(AudioSignals.Amplitude(decoded, frequency * 0.6, Rate) < amplitude / 20, $"{frequency} Hz tone is not clean");
        }
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void BitrateSettingShapesPacketSizes(OpusImplementation implementation)
    {
        var codecs = Codecs(implementation);
        var noise = new Random(7);
        long Bytes(int bitrate)
        {
            using var encoder = codecs.CreateEncoder(bitrate);
            var pcm = new short[Frame];
            var packet = new byte[OpusFormat.MaxPacketBytes];
            long total = 0;
            for (var n = 0; n < 100; n++)
            {
                // Speech-like: a few tones plus noise, so the encoder has something to spend bits on.
                for (var i = 0; i < Frame; i++)
                {
                    var t = (double)((n * Frame) + i) / Rate;
                    pcm[i] = (short)((3000 * Math.Sin(2 * Math.PI * 220 * t)) + (2000 * Math.Sin(2 * Math.PI * 1700 * t)) + noise.Next(-1500, 1500));
                }

                total += encoder.Encode(pcm, packet);
            }

            return total;
        }

        // Two seconds: the bytes land near the target bitrate (VBR wanders, so within a generous band).
        var low = Bytes(16000);
        var high = Bytes(64000);
        Assert.InRange(low * 8 / 2.0, 16000 * 0.6, 16000 * 1.5);
        Assert.InRange(high * 8 / 2.0, 64000 * 0.6, 64000 * 1.5);
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void LostFrameIsRebuiltFromTheNextPacketsFecBetterThanConcealment(OpusImplementation implementation)
    {
        // The configured defaults (bitrate, expected loss) must leave room for in-band FEC. SILK only spends it on
        // frames its voice detector calls active, so the signal is voice-like: harmonics of 150 Hz, syllable-rate swell.
        var codecs = Codecs(implementation);
        using var encoder = codecs.CreateEncoder();
        var packets = new List<byte[]>();
        var pcm = new short[Frame];
        var packet = new byte[OpusFormat.MaxPacketBytes];
        for (var n = 0; n < 60; n++)
        {
            VoiceLike(pcm, n);
            packets.Add(packet[..encoder.Encode(pcm, packet)]);
        }

        // Frame 40 as a decoder that lost nothing hears it.
        using var reference = codecs.CreateDecoder();
        var expected = new short[Frame];
        for (var n = 0; n <= 40; n++)
        {
            reference.Decode(packets[n], n == 40 ? expected : pcm);
        }

        using var withFec = codecs.CreateDecoder();
        using var withConcealment = codecs.CreateDecoder();
        for (var n = 0; n < 40; n++)
        {
            withFec.Decode(packets[n], pcm);
            withConcealment.Decode(packets[n], pcm);
        }

        var rebuilt = new short[Frame];
        var concealed = new short[Frame];
        Assert.Equal(Frame, withFec.DecodeFec(packets[41], rebuilt));
        Assert.Equal(Frame, withConcealment.Conceal(concealed));

        // Concealment guesses something of the right loudness; FEC carries the frame itself (measured: about 19 dB).
        var fecSnr = SignalToErrorDb(expected, rebuilt);
        var concealmentSnr = SignalToErrorDb(expected, concealed);
        Assert.True(AudioSignals.Rms(concealed) > AudioSignals.Rms(expected) / 3, "concealment went silent");
        Assert.True(fecSnr > 12 && fecSnr > concealmentSnr + 6, $"FEC {fecSnr:F1} dB against concealment {concealmentSnr:F1} dB");

        // Decoding goes on normally after the rebuilt frame.
        Assert.Equal(Frame, withFec.Decode(packets[41], pcm));
    }

    private static void VoiceLike(Span<short> frame, int index)
    {
        for (var i = 0; i < frame.Length; i++)
        {
            var t = (double)((index * Frame) + i) / Rate;
            var swell = 0.6 + (0.4 * Math.Sin(2 * Math.PI * 3 * t));
            frame[i] = (short)(swell * ((4000 * Math.Sin(2 * Math.PI * 150 * t)) + (3000 * Math.Sin(2 * Math.PI * 300 * t))
                + (2000 * Math.Sin(2 * Math.PI * 450 * t)) + (1000 * Math.Sin(2 * Math.PI * 900 * t))));
        }
    }

    private static double SignalToErrorDb(ReadOnlySpan<short> expected, ReadOnlySpan<short> actual)
    {
        double signal = 0, error = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            signal += (double)expected[i] * expected[i];
            error += Math.Pow(expected[i] - actual[i], 2);
        }

        return 10 * Math.Log10(signal / Math.Max(error, 1));
    }

    [Fact]
    public void NativeAndManagedDecodeEachOthersPackets()
    {
        var native = Codecs(OpusImplementation.Native);
        var managed = Codecs(OpusImplementation.Managed);
        using var nativeEncoder = native.CreateEncoder();
        using var managedEncoder = managed.CreateEncoder();
        foreach (var (encoder, decoderCodecs) in new[] { (nativeEncoder, managed), (managedEncoder, native) })
        {
            using var decoder = decoderCodecs.CreateDecoder();
            var pcm = new short[Frame];
            var packets = EncodeTone(encoder, 1000, 30);
            foreach (var packet in packets)
            {
                Assert.Equal(Frame, decoder.Decode(packet, pcm));
            }

            Assert.InRange(AudioSignals.Amplitude(pcm, 1000, Rate), 8000 * 0.7, 8000 * 1.3);
        }
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void GarbageIsRejectedNotThrown(OpusImplementation implementation)
    {
        using var decoder = Codecs(implementation).CreateDecoder();
        var pcm = new short[Frame];

        // TOC code 3 (arbitrary frame count) with a frame count of 0 is invalid (RFC 6716 section 3.2.5).
        Assert.Equal(-1, decoder.Decode([0x03, 0x00], pcm));
    }

    [Fact]
    public void AutoFallsBackToConcentusAndSaysWhichPackageIsMissing()
    {
        using var capture = new LogCapture();
        var codecs = new OpusCodecs(new OpusOptions(), capture.CreateLogger("opus"), "libopus-not-here.so.0");

        Assert.False(codecs.IsNative);
        var warning = Assert.Single(capture.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("libopus0", warning.Message, StringComparison.Ordinal);
        Assert.Contains("Concentus", warning.Message, StringComparison.Ordinal);

        // And it still codes audio.
        using var encoder = codecs.CreateEncoder();
        Assert.NotEmpty(EncodeTone(encoder, 1000, 3));
    }

    [Fact]
    public void RequiringNativeWithoutTheLibraryFailsNamingThePackage()
    {
        var error = Assert.Throws<OpusLibraryMissingException>(() =>
            new OpusCodecs(new OpusOptions { Implementation = OpusImplementation.Native }, NullLogger.Instance, "libopus-not-here.so.0"));
        Assert.Contains("apt-get install libopus0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NativeIsChosenAndLoggedWhenPresent()
    {
        using var capture = new LogCapture();
        var codecs = new OpusCodecs(new OpusOptions(), capture.CreateLogger("opus"));
        Assert.True(codecs.IsNative);
        Assert.StartsWith("libopus ", codecs.Description, StringComparison.Ordinal);
        Assert.Contains(capture.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("libopus.so.0", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(11, 32000)]
    [InlineData(5, 5000)]
    [InlineData(-1, 32000)]
    public void OutOfRangeSettingsAreRefused(int complexity, int bitrate) =>
        Assert.Throws<ArgumentException>(() => new OpusCodecs(new OpusOptions { Complexity = complexity, Bitrate = bitrate }, NullLogger.Instance));
}
