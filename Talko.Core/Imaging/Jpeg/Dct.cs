namespace Talko.Core.Imaging.Jpeg;

/// <summary>
/// The 8x8 forward and inverse DCT of T.81 section A.3.3, computed as two separable passes of the
/// 8-point transform (64 multiply-adds per row). Plain, not a fast factorisation: clarity first, and
/// blocks whose AC coefficients are all zero (common) skip the work.
/// </summary>
internal static class Dct
{
    /// <summary>Basis[x * 8 + u] = C(u)/2 * cos((2x+1)uπ/16), with C(0) = 1/√2 and C(u) = 1 otherwise.</summary>
    private static readonly float[] Basis = BuildBasis();

    /// <summary>BoxBasis[n][x * 8 + u]: Basis averaged over the x-th of n equal runs of the 8 positions (n = 1, 2, 4, 8).</summary>
    private static readonly float[][] BoxBasis = [[], BuildBoxBasis(1), BuildBoxBasis(2), [], BuildBoxBasis(4), [], [], [], BuildBoxBasis(8)];

    /// <summary>Natural-order coefficients to level-shifted, clamped 8-bit samples written at <paramref name="output"/> with <paramref name="stride"/>.</summary>
    public static void Inverse(Span<float> coefficients, Span<byte> output, int stride)
    {
        var allZeroAc = true;
        for (var i = 1; i < 64 && allZeroAc; i++)
        {
            allZeroAc = coefficients[i] == 0;
        }

        if (allZeroAc)
        {
            var flat = Clamp((coefficients[0] / 8) + 128);
            for (var y = 0; y < 8; y++)
            {
                output.Slice(y * stride, 8).Fill(flat);
            }

            return;
        }

        Span<float> rows = stackalloc float[64];
        for (var v = 0; v < 8; v++)
        {
            var row = coefficients.Slice(v * 8, 8);
            var zero = true;
            for (var u = 0; u < 8 && zero; u++)
            {
                zero = row[u] == 0;
            }

            if (zero)
            {
                rows.Slice(v * 8, 8).Clear();
                continue;
            }

            for (var x = 0; x < 8; x++)
            {
                float sum = 0;
                for (var u = 0; u < 8; u++)
                {
                    sum += Basis[(x * 8) + u] * row[u];
                }

                rows[(v * 8) + x] = sum;
            }
        }

        for (var x = 0; x < 8; x++)
        {
            for (var y = 0; y < 8; y++)
            {
                float sum = 0;
                for (var v = 0; v < 8; v++)
                {
                    sum += Basis[(y * 8) + v] * rows[(v * 8) + x];
                }

                output[(y * stride) + x] = Clamp(sum + 128);
            }
        }
    }

    /// <summary>
    /// The means of a <paramref name="across"/> x <paramref name="down"/> grid of equal boxes of the block's samples
    /// (1, 2, 4 or 8 each way, not both 8), straight from the coefficients: each basis function averaged over a box, so no
    /// 8x8 block is built. At 1/8 scale this keeps subsampled chroma at the output's resolution.
    /// </summary>
    public static void InverseBoxed(ReadOnlySpan<float> coefficients, int across, int down, Span<byte> output, int stride)
    {
        var horizontal = BoxBasis[across];
        var vertical = BoxBasis[down];
        Span<float> rows = stackalloc float[8 * 8];
        for (var v = 0; v < 8; v++)
        {
            for (var x = 0; x < across; x++)
            {
                float sum = 0;
                for (var u = 0; u < 8; u++)
                {
                    sum += horizontal[(x * 8) + u] * coefficients[(v * 8) + u];
                }

                rows[(v * 8) + x] = sum;
            }
        }

        for (var y = 0; y < down; y++)
        {
            for (var x = 0; x < across; x++)
            {
                float sum = 0;
                for (var v = 0; v < 8; v++)
                {
                    sum += vertical[(y * 8) + v] * rows[(v * 8) + x];
                }

                output[(y * stride) + x] = Clamp(sum + 128);
            }
        }
    }

    /// <summary>Level-shifted samples (already minus 128) to natural-order coefficients.</summary>
    public static void Forward(ReadOnlySpan<float> samples, Span<float> coefficients)
    {
        Span<float> rows = stackalloc float[64];
        for (var y = 0; y < 8; y++)
        {
            for (var u = 0; u < 8; u++)
            {
                float sum = 0;
                for (var x = 0; x < 8; x++)
                {
                    sum += Basis[(x * 8) + u] * samples[(y * 8) + x];
                }

                rows[(y * 8) + u] = sum;
            }
        }

        for (var u = 0; u < 8; u++)
        {
            for (var v = 0; v < 8; v++)
            {
                float sum = 0;
                for (var y = 0; y < 8; y++)
                {
                    sum += Basis[(y * 8) + v] * rows[(y * 8) + u];
                }

                coefficients[(v * 8) + u] = sum;
            }
        }
    }

    public static byte Clamp(float value) => value <= 0 ? (byte)0 : value >= 255 ? (byte)255 : (byte)(value + 0.5f);

    private static float[] BuildBoxBasis(int boxes)
    {
        var width = 8 / boxes;
        var table = new float[boxes * 8];
        for (var x = 0; x < boxes; x++)
        {
            for (var u = 0; u < 8; u++)
            {
                float sum = 0;
                for (var i = x * width; i < (x + 1) * width; i++)
                {
                    sum += Basis[(i * 8) + u];
                }

                table[(x * 8) + u] = sum / width;
            }
        }

        return table;
    }

    private static float[] BuildBasis()
    {
        var basis = new float[64];
        for (var x = 0; x < 8; x++)
        {
            for (var u = 0; u < 8; u++)
            {
                var c = u == 0 ? 1 / Math.Sqrt(2) : 1;
                basis[(x * 8) + u] = (float)(c / 2 * Math.Cos(((2 * x) + 1) * u * Math.PI / 16));
            }
        }

        return basis;
    }
}
