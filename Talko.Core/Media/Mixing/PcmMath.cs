using System.Numerics;
using System.Runtime.InteropServices;

namespace Talko.Core.Media.Mixing;

/// <summary>Vectorised sample arithmetic for the mixer: sums in 32 bits, results saturated to 16 bits.</summary>
public static class PcmMath
{
    /// <summary>sum[i] += samples[i].</summary>
    public static void Accumulate(Span<int> sum, ReadOnlySpan<short> samples)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && samples.Length >= Vector<short>.Count)
        {
            var sumVectors = MemoryMarshal.Cast<int, Vector<int>>(sum);
            var sampleVectors = MemoryMarshal.Cast<short, Vector<short>>(samples);
            for (var v = 0; v < sampleVectors.Length; v++)
            {
                Vector.Widen(sampleVectors[v], out var low, out var high);
                sumVectors[2 * v] += low;
                sumVectors[(2 * v) + 1] += high;
            }

            i = sampleVectors.Length * Vector<short>.Count;
        }

        for (; i < samples.Length; i++)
        {
            sum[i] += samples[i];
        }
    }

    /// <summary>destination[i] = clamp(sum[i] - own[i]): the mix-minus for one participant.</summary>
    public static void SubtractSaturate(ReadOnlySpan<int> sum, ReadOnlySpan<short> own, Span<short> destination)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && own.Length >= Vector<short>.Count)
        {
            var sumVectors = MemoryMarshal.Cast<int, Vector<int>>(sum);
            var ownVectors = MemoryMarshal.Cast<short, Vector<short>>(own);
            var destinationVectors = MemoryMarshal.Cast<short, Vector<short>>(destination);
            var min = new Vector<int>(short.MinValue);
            var max = new Vector<int>(short.MaxValue);
            for (var v = 0; v < ownVectors.Length; v++)
            {
                Vector.Widen(ownVectors[v], out var ownLow, out var ownHigh);
                var low = Vector.Min(Vector.Max(sumVectors[2 * v] - ownLow, min), max);
                var high = Vector.Min(Vector.Max(sumVectors[(2 * v) + 1] - ownHigh, min), max);
                destinationVectors[v] = Vector.Narrow(low, high);
            }

            i = ownVectors.Length * Vector<short>.Count;
        }

        for (; i < own.Length; i++)
        {
            destination[i] = (short)Math.Clamp(sum[i] - own[i], short.MinValue, short.MaxValue);
        }
    }

    /// <summary>destination[i] = clamp(sum[i]).</summary>
    public static void Saturate(ReadOnlySpan<int> sum, Span<short> destination)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && destination.Length >= Vector<short>.Count)
        {
            var sumVectors = MemoryMarshal.Cast<int, Vector<int>>(sum);
            var destinationVectors = MemoryMarshal.Cast<short, Vector<short>>(destination);
            var min = new Vector<int>(short.MinValue);
            var max = new Vector<int>(short.MaxValue);
            for (var v = 0; v < destinationVectors.Length; v++)
            {
                var low = Vector.Min(Vector.Max(sumVectors[2 * v], min), max);
                var high = Vector.Min(Vector.Max(sumVectors[(2 * v) + 1], min), max);
                destinationVectors[v] = Vector.Narrow(low, high);
            }

            i = destinationVectors.Length * Vector<short>.Count;
        }

        for (; i < destination.Length; i++)
        {
            destination[i] = (short)Math.Clamp(sum[i], short.MinValue, short.MaxValue);
        }
    }

    /// <summary>The sum of squared samples (0 means digital silence).</summary>
    public static long Energy(ReadOnlySpan<short> samples)
    {
        long energy = 0;
        var i = 0;
        if (Vector.IsHardwareAccelerated && samples.Length >= Vector<short>.Count)
        {
            var accumulator = Vector<long>.Zero;
            var sampleVectors = MemoryMarshal.Cast<short, Vector<short>>(samples);
            for (var v = 0; v < sampleVectors.Length; v++)
            {
                Vector.Widen(sampleVectors[v], out var low, out var high);

                // A square fits in an int (32768^2 = 2^30); widen before adding two of them.
                Vector.Widen(low * low, out var a, out var b);
                Vector.Widen(high * high, out var c, out var d);
                accumulator += Vector.AsVectorInt64(a) + Vector.AsVectorInt64(b) + Vector.AsVectorInt64(c) + Vector.AsVectorInt64(d);
            }

            energy = Vector.Sum(accumulator);
            i = sampleVectors.Length * Vector<short>.Count;
        }

        for (; i < samples.Length; i++)
        {
            energy += samples[i] * samples[i];
        }

        return energy;
    }

    /// <summary>Multiplies by a gain ramping linearly from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static void Ramp(Span<short> samples, float from, float to)
    {
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (short)(samples[i] * (from + ((to - from) * i / samples.Length)));
        }
    }
}
