using System.Numerics;
using System.Runtime.InteropServices;

namespace Talko.Core.Media.Mixing;

/// <summary>
/// Band-limited resampling between a narrowband leg's rate and the mixer's (8 or 16 kHz and 48 kHz: integer ratios) by a
/// polyphase windowed-sinc FIR (<see cref="ResamplerFilter"/>): up, each output phase is a short dot product over the
/// input history; down, only the kept outputs are computed. Nothing is allocated per frame, and frames join seamlessly
/// (the filter's history carries over). One instance per stream; not thread-safe.
/// </summary>
public sealed class Resampler
{
    private readonly ResamplerFilter filter;
    private readonly bool up;
    private readonly int factor;

    /// <summary>Up: one reversed coefficient run per output phase. Down: the whole filter, reversed (it is symmetric).</summary>
    private readonly float[][] phases;
    private readonly int history;
    private readonly float[] buffer;

    private Resampler(int fromRate, int toRate, int maxInputSamples)
    {
        up = toRate > fromRate;
        factor = up ? toRate / fromRate : fromRate / toRate;
        filter = ResamplerFilter.For(Math.Min(fromRate, toRate), Math.Max(fromRate, toRate));
        var taps = filter.Coefficients;
        if (up)
        {
            // y[mL + p] = L * sum_j h[jL + p] x[m - j]; stored so that the sum runs forward over the history.
            var perPhase = (taps.Length + factor - 1) / factor;
            phases = new float[factor][];
            for (var p = 0; p < factor; p++)
            {
                phases[p] = new float[perPhase];
                for (var i = 0; i < perPhase; i++)
                {
                    var k = ((perPhase - 1 - i) * factor) + p;
                    phases[p][i] = k < taps.Length ? taps[k] * factor : 0;
                }
            }

            history = perPhase - 1;
        }
        else
        {
            phases = [taps];
            history = taps.Length - 1;
        }

        buffer = new float[history + maxInputSamples];
        FromRate = fromRate;
        ToRate = toRate;
    }

    public int FromRate { get; }

    public int ToRate { get; }

    /// <summary>How late the output is against the input, in output samples (the FIR's group delay).</summary>
    public int DelaySamples => up ? filter.HalfLength * factor : filter.HalfLength;

    public TimeSpan Delay => TimeSpan.FromSeconds((double)filter.HalfLength / Math.Min(FromRate, ToRate));

    /// <summary>A resampler for 8000 or 16000 to or from 48000 Hz (any integer ratio), taking up to <paramref name="maxInputSamples"/> a call.</summary>
    public static Resampler Create(int fromRate, int toRate, int maxInputSamples)
    {
        var (low, high) = (Math.Min(fromRate, toRate), Math.Max(fromRate, toRate));
        if (low <= 0 || low == high || high % low != 0 || maxInputSamples < 1)
        {
            throw new ArgumentException($"Resampling needs distinct rates in an integer ratio, not {fromRate} -> {toRate} Hz.");
        }

        return new Resampler(fromRate, toRate, maxInputSamples);
    }

    /// <summary>Output samples for <paramref name="inputSamples"/> input samples (input counts down must be multiples of the ratio).</summary>
    public int OutputLength(int inputSamples) => up ? inputSamples * factor : inputSamples / factor;

    /// <summary>Resamples <paramref name="input"/> into <paramref name="output"/>; returns the samples written.</summary>
    public int Process(ReadOnlySpan<short> input, Span<short> output)
    {
        if (input.Length > buffer.Length - history || (!up && input.Length % factor != 0) || output.Length < OutputLength(input.Length))
        {
            throw new ArgumentException("Input longer than the resampler was made for, not a whole number of output samples, or output too short.");
        }

        var samples = buffer.AsSpan(history, input.Length);
        for (var i = 0; i < input.Length; i++)
        {
            samples[i] = input[i];
        }

        var written = up ? Interpolate(input.Length, output) : Decimate(input.Length, output);

        // Keep the last samples as the next frame's history.
        buffer.AsSpan(input.Length, history).CopyTo(buffer);
        return written;
    }

    /// <summary>Forgets the history (a new stream).</summary>
    public void Reset() => Array.Clear(buffer);

    private int Interpolate(int inputs, Span<short> output)
    {
        var taps = phases[0].Length;
        var o = 0;
        for (var m = 0; m < inputs; m++)
        {
            // The window ends at input m (buffer index history + m) and spans taps samples.
            var window = buffer.AsSpan(m + history + 1 - taps, taps);
            for (var p = 0; p < factor; p++)
            {
                output[o++] = Saturate(Dot(phases[p], window));
            }
        }

        return o;
    }

    private int Decimate(int inputs, Span<short> output)
    {
        var taps = phases[0];
        var outputs = inputs / factor;
        for (var m = 0; m < outputs; m++)
        {
            // Output m is input m x factor, filtered: the window ends there.
            var end = history + (m * factor);
            output[m] = Saturate(Dot(taps, buffer.AsSpan(end + 1 - taps.Length, taps.Length)));
        }

        return outputs;
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = Vector<float>.Zero;
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var va = MemoryMarshal.Cast<float, Vector<float>>(a);
            var vb = MemoryMarshal.Cast<float, Vector<float>>(b[..(va.Length * Vector<float>.Count)]);
            for (var v = 0; v < va.Length; v++)
            {
                sum += va[v] * vb[v];
            }

            i = va.Length * Vector<float>.Count;
        }

        var total = Vector.Sum(sum);
        for (; i < a.Length; i++)
        {
            total += a[i] * b[i];
        }

        return total;
    }

    private static short Saturate(float value) => (short)Math.Clamp(MathF.Round(value), short.MinValue, short.MaxValue);
}
