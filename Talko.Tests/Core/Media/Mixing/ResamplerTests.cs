using Talko.Core.Media.Mixing;
using Xunit.Abstractions;

namespace Talko.Tests.Core.Media.Mixing;

/// <summary>
/// The resampler measured as a filter: a tone in the passband keeps its level, what lies above the narrow rate's
/// Nyquist frequency (aliases going down, images going up) is at least 70 dB down, and the delay is what it states.
/// </summary>
public sealed class ResamplerTests(ITestOutputHelper output)
{
    private const double Amplitude = 10000;

    /// <summary>Stated stopband: the design asks for 80 dB; measured figures leave 10 dB for the 16-bit output's rounding.</summary>
    private const double StopbandDb = 70;

    public static TheoryData<int> NarrowRates => [8000, 16000];

    /// <summary>Resamples a tone in 20 ms frames; returns the steady-state output (after the filter's start-up).</summary>
    private static short[] ResampleTone(Resampler resampler, double frequency, int seconds = 1)
    {
        var inFrame = resampler.FromRate / 50;
        var input = new short[inFrame];
        var all = new List<short>();
        var outFrame = new short[resampler.OutputLength(inFrame)];
        for (var n = 0; n < 50 * seconds; n++)
        {
            AudioSignals.Tone(input, frequency, Amplitude, (long)n * inFrame, resampler.FromRate);
            Assert.Equal(outFrame.Length, resampler.Process(input, outFrame));
            all.AddRange(outFrame);
        }

        return [.. all.Skip(resampler.ToRate / 10)];
    }

    private static double Db(double ratio) => 20 * Math.Log10(Math.Max(ratio, 1e-12));

    [Theory]
    [MemberData(nameof(NarrowRates))]
    public void ToneGoingUpKeepsItsLevelAndLeavesNoImages(int narrow)
    {
        var resampler = Resampler.Create(narrow, 48000, narrow / 50);
        var result = ResampleTone(resampler, 1000);
        var level = AudioSignals.Amplitude(result, 1000, 48000);
        Assert.InRange(Db(level / Amplitude), -0.1, 0.1);

        // Zero-stuffing puts images of 1 kHz at k x narrow +- 1 kHz; the filter must remove them.
        var worst = double.MinValue;
        for (var k = 1; k * narrow < 24000; k++)
        {
            foreach (var image in new[] { (k * narrow) - 1000.0, (k * narrow) + 1000.0 })
            {
                if (image < 24000)
                {
                    worst = Math.Max(worst, Db(AudioSignals.Amplitude(result, image, 48000) / Amplitude));
                }
            }
        }

        output.WriteLine($"{narrow} -> 48000: 1 kHz at {Db(level / Amplitude):F3} dB, worst image {worst:F1} dB, delay {resampler.Delay.TotalMilliseconds} ms");
        Assert.True(worst < -StopbandDb, $"an image of 1 kHz is only {worst:F1} dB down");
    }

    [Theory]
    [MemberData(nameof(NarrowRates))]
    public void ToneGoingDownKeepsItsLevelAndOutOfBandTonesDoNotAlias(int narrow)
    {
        var resampler = Resampler.Create(48000, narrow, 960);
        var inBand = ResampleTone(resampler, 1000);
        Assert.InRange(Db(AudioSignals.Amplitude(inBand, 1000, narrow) / Amplitude), -0.1, 0.1);

        // Tones between the narrow Nyquist frequency and 24 kHz would fold back into the band; all that remains of them
        // (the whole output's RMS, as a sine's amplitude) must be far down.
        var worst = double.MinValue;
        foreach (var fraction in new[] { 0.52, 0.75, 1.25, 2.9 })
        {
            var frequency = narrow * fraction;
            if (frequency >= 24000)
            {
                continue;
            }

            resampler.Reset();
            var aliased = ResampleTone(resampler, frequency);
            var left = AudioSignals.Rms(aliased) * Math.Sqrt(2);
            worst = Math.Max(worst, Db(left / Amplitude));
            output.WriteLine($"48000 -> {narrow}: {frequency} Hz leaves {Db(left / Amplitude):F1} dB");
        }

        Assert.True(worst < -StopbandDb, $"an out-of-band tone is only {worst:F1} dB down");
    }

    [Theory]
    [InlineData(8000, 48000)]
    [InlineData(48000, 8000)]
    [InlineData(16000, 48000)]
    [InlineData(48000, 16000)]
    public void AClickComesOutAtTheStatedDelay(int from, int to)
    {
        var resampler = Resampler.Create(from, to, from / 50);
        var input = new short[from / 50];
        var result = new short[resampler.OutputLength(input.Length) * 4];
        var at = 0;

        // A click at input sample 60 (a multiple of 6 and 3: it falls on an output sample both ways).
        input[60] = 20000;
        for (var n = 0; n < 4; n++)
        {
            at += resampler.Process(input, result.AsSpan(at));
            Array.Clear(input);
        }

        var peak = Array.IndexOf(result, result.Max());
        var expected = (60 * to / from) + resampler.DelaySamples;
        Assert.Equal(expected, peak);
        Assert.Equal(resampler.DelaySamples / (double)to, resampler.Delay.TotalSeconds, 9);
        output.WriteLine($"{from} -> {to}: delay {resampler.DelaySamples} samples = {resampler.Delay.TotalMilliseconds} ms");
    }

    [Fact]
    public void FramesJoinExactlyAsOneLongBlockAndAllocateNothing()
    {
        var whole = Resampler.Create(8000, 48000, 8000);
        var framed = Resampler.Create(8000, 48000, 160);
        var signal = new short[8000];
        var random = new Random(3);
        for (var i = 0; i < signal.Length; i++)
        {
            signal[i] = (short)random.Next(-12000, 12000);
        }

        var expected = new short[48000];
        whole.Process(signal, expected);
        var actual = new short[48000];
        framed.Process(signal.AsSpan(0, 160), actual); // first call outside the count (JIT)
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var n = 1; n < 50; n++)
        {
            framed.Process(signal.AsSpan(n * 160, 160), actual.AsSpan(n * 960, 960));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(8000, 8000)]
    [InlineData(8000, 44100)]
    [InlineData(0, 48000)]
    public void UnsupportedRatesAreRefused(int from, int to) =>
        Assert.Throws<ArgumentException>(() => Resampler.Create(from, to, 160));
}
