namespace Talko.Tests.Core.Media;

/// <summary>Test signals: sine tones to put into the mixer and a Goertzel detector to find them again.</summary>
internal static class AudioSignals
{
    public const int SampleRate = 8000;

    /// <summary>Fills <paramref name="frame"/> with a sine continuing from sample index <paramref name="start"/>.</summary>
    public static void Tone(Span<short> frame, double frequency, double amplitude, long start) =>
        Tone(frame, frequency, amplitude, start, SampleRate);

    public static void Tone(Span<short> frame, double frequency, double amplitude, long start, int sampleRate)
    {
        for (var i = 0; i < frame.Length; i++)
        {
            frame[i] = (short)(amplitude * Math.Sin(2 * Math.PI * frequency * (start + i) / sampleRate));
        }
    }

    /// <summary>Relative power of <paramref name="frequency"/> in the samples (Goertzel), normalised by length.</summary>
    public static double Power(ReadOnlySpan<short> samples, double frequency) => Power(samples, frequency, SampleRate);

    public static double Power(ReadOnlySpan<short> samples, double frequency, int sampleRate)
    {
        var coefficient = 2 * Math.Cos(2 * Math.PI * frequency / sampleRate);
        double previous = 0, beforePrevious = 0;
        foreach (var sample in samples)
        {
            var current = sample + (coefficient * previous) - beforePrevious;
            beforePrevious = previous;
            previous = current;
        }

        var power = (previous * previous) + (beforePrevious * beforePrevious) - (coefficient * previous * beforePrevious);
        return power / ((double)samples.Length * samples.Length);
    }

    /// <summary>Amplitude estimate of a tone: sqrt(power) * 2 for a pure sine.</summary>
    public static double Amplitude(ReadOnlySpan<short> samples, double frequency) => 2 * Math.Sqrt(Power(samples, frequency));

    public static double Amplitude(ReadOnlySpan<short> samples, double frequency, int sampleRate) => 2 * Math.Sqrt(Power(samples, frequency, sampleRate));

    /// <summary>Root mean square of the samples.</summary>
    public static double Rms(ReadOnlySpan<short> samples)
    {
        double sum = 0;
        foreach (var sample in samples)
        {
            sum += (double)sample * sample;
        }

        return samples.IsEmpty ? 0 : Math.Sqrt(sum / samples.Length);
    }
}
