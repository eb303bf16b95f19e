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

    /// <summary>Up: one reversed coefficient run per output phase. Down: the filter split by residue (it is symmetric).</summary>
    private readonly float[][] phases;
    private readonly int history;
    private readonly float[] buffer;

    /// <summary>Per-output sums of one pass (up: one phase; down: all residues).</summary>
    private readonly float[] scratch;

    /// <summary>Down: one residue's inputs, contiguous.</summary>
    private readonly float[] residues;

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
            // h_r[q] = h[q x factor + r]: the taps that meet the inputs of residue r (see Decimate).
            var perResidue = (taps.Length + factor - 1) / factor;
            phases = new float[factor][];
            for (var r = 0; r < factor; r++)
            {
                phases[r] = new float[perResidue];
                for (var q = 0; q < perResidue; q++)
                {
                    var k = (q * factor) + r;
                    phases[r][q] = k < taps.Length ? taps[k] : 0;
                }
            }

            history = taps.Length - 1;
        }

        buffer = new float[history + maxInputSamples];
        scratch = new float[maxInputSamples];

        // Residue runs of the buffer, padded so every phase's FIR reads within it.
        residues = new float[((history + maxInputSamples + factor - 1) / factor) + phases[0].Length];
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
        // Output m x factor + p is phase p's dot product over the window ending at input m (buffer[m .. m + taps)).
        // One phase at a time over every m: the FIR runs across outputs, so vectors need no horizontal sums.
        var sums = scratch.AsSpan(0, inputs);
        for (var p = 0; p < factor; p++)
        {
            Fir(phases[p], buffer, sums, add: false);
            for (int m = 0, o = p; m < inputs; m++, o += factor)
            {
                output[o] = Saturate(sums[m]);
            }
        }

        return inputs * factor;
    }

    private int Decimate(int inputs, Span<short> output)
    {
        // Output m is sum_k h[k] x[m x factor + k]. Split the buffer by residue (x_r[j] = x[j x factor + r]) and h the same
        // way (h_r[q] = h[q x factor + r]): then output m = sum_r sum_q h_r[q] x_r[m + q], contiguous FIRs again.
        var outputs = inputs / factor;
        var length = history + inputs;
        var perResidue = (length + factor - 1) / factor;
        var sums = scratch.AsSpan(0, outputs);
        for (var r = 0; r < factor; r++)
        {
            var split = residues.AsSpan(0, perResidue);
            for (int j = 0, i = r; i < length; j++, i += factor)
            {
                split[j] = buffer[i];
            }

            Fir(phases[r], split, sums, add: r > 0);
        }

        for (var m = 0; m < outputs; m++)
        {
            output[m] = Saturate(sums[m]);
        }

        return outputs;
    }

    /// <summary>
    /// sums[m] (+)= sum_i coefficients[i] x source[m + i] for every m: each coefficient is broadcast against consecutive
    /// sources, and four vectors of outputs stay in registers across the coefficients.
    /// </summary>
    private static void Fir(ReadOnlySpan<float> coefficients, ReadOnlySpan<float> source, Span<float> sums, bool add)
    {
        var outputs = sums.Length;
        var taps = coefficients.Length;
        if (source.Length < outputs + taps - 1)
        {
            throw new ArgumentException("The source is shorter than the filter's span.", nameof(source));
        }

        var m = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var width = Vector<float>.Count;
            ref var x = ref MemoryMarshal.GetReference(source);
            ref var s = ref MemoryMarshal.GetReference(sums);
            for (; m + (4 * width) <= outputs; m += 4 * width)
            {
                var at = (nuint)m;
                var a0 = add ? Vector.LoadUnsafe(ref s, at) : Vector<float>.Zero;
                var a1 = add ? Vector.LoadUnsafe(ref s, at + (nuint)width) : Vector<float>.Zero;
                var a2 = add ? Vector.LoadUnsafe(ref s, at + (nuint)(2 * width)) : Vector<float>.Zero;
                var a3 = add ? Vector.LoadUnsafe(ref s, at + (nuint)(3 * width)) : Vector<float>.Zero;
                for (var i = 0; i < taps; i++)
                {
                    var c = new Vector<float>(coefficients[i]);
                    var from = at + (nuint)i;
                    a0 = Vector.MultiplyAddEstimate(c, Vector.LoadUnsafe(ref x, from), a0);
                    a1 = Vector.MultiplyAddEstimate(c, Vector.LoadUnsafe(ref x, from + (nuint)width), a1);
                    a2 = Vector.MultiplyAddEstimate(c, Vector.LoadUnsafe(ref x, from + (nuint)(2 * width)), a2);
                    a3 = Vector.MultiplyAddEstimate(c, Vector.LoadUnsafe(ref x, from + (nuint)(3 * width)), a3);
                }

                a0.StoreUnsafe(ref s, at);
                a1.StoreUnsafe(ref s, at + (nuint)width);
                a2.StoreUnsafe(ref s, at + (nuint)(2 * width));
                a3.StoreUnsafe(ref s, at + (nuint)(3 * width));
            }
        }

        for (; m < outputs; m++)
        {
            var sum = add ? sums[m] : 0f;
            for (var i = 0; i < taps; i++)
            {
                sum += coefficients[i] * source[m + i];
            }

            sums[m] = sum;
        }
    }

    private static short Saturate(float value) => (short)Math.Clamp(MathF.Round(value), short.MinValue, short.MaxValue);
}
