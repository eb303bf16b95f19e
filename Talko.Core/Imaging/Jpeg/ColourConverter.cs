namespace Talko.Core.Imaging.Jpeg;

/// <summary>
/// Turns one line of component samples into RGB: grayscale, RGB, or YCbCr per JFIF 1.02 (ITU-T T.871
/// section 7), in 16.16 fixed point. Chroma is upsampled by replication, which the box filter that
/// follows averages anyway.
/// </summary>
internal sealed class ColourConverter(bool rgb)
{
    private const int Shift = 16;
    private const int Half = 1 << (Shift - 1);
    private static readonly int[] CrToR = Table(1.402);
    private static readonly int[] CbToB = Table(1.772);
    private static readonly int[] CbToG = Table(-0.344136);
    private static readonly int[] CrToG = Table(-0.714136);

    /// <summary>Output line <paramref name="line"/> of the MCU row (of <paramref name="outRowsPerMcu"/>); each component supplies its covering sample row.</summary>
    public void Convert(JpegComponent[] components, int line, int outRowsPerMcu, Span<byte> output)
    {
        var width = output.Length / 3;
        if (components.Length == 1)
        {
            var gray = components[0];
            var row = gray.Samples.AsSpan(line * gray.RowsPerMcu / outRowsPerMcu * gray.Stride);
            for (var x = 0; x < width; x++)
            {
                output[x * 3] = output[(x * 3) + 1] = output[(x * 3) + 2] = row[gray.ColumnOf[x]];
            }

            return;
        }

        JpegComponent a = components[0], b = components[1], c = components[2];
        var rowA = a.Samples.AsSpan(line * a.RowsPerMcu / outRowsPerMcu * a.Stride);
        var rowB = b.Samples.AsSpan(line * b.RowsPerMcu / outRowsPerMcu * b.Stride);
        var rowC = c.Samples.AsSpan(line * c.RowsPerMcu / outRowsPerMcu * c.Stride);
        for (var x = 0; x < width; x++)
        {
            int first = rowA[a.ColumnOf[x]], second = rowB[b.ColumnOf[x]], third = rowC[c.ColumnOf[x]];
            if (rgb)
            {
                (output[x * 3], output[(x * 3) + 1], output[(x * 3) + 2]) = ((byte)first, (byte)second, (byte)third);
                continue;
            }

            output[x * 3] = ClampByte(first + ((CrToR[third] + Half) >> Shift));
            output[(x * 3) + 1] = ClampByte(first + ((CbToG[second] + CrToG[third] + Half) >> Shift));
            output[(x * 3) + 2] = ClampByte(first + ((CbToB[second] + Half) >> Shift));
        }
    }

    private static int[] Table(double factor)
    {
        var table = new int[256];
        for (var i = 0; i < 256; i++)
        {
            table[i] = (int)Math.Round(factor * (i - 128) * (1 << Shift));
        }

        return table;
    }

    private static byte ClampByte(int value) => (byte)Math.Clamp(value, 0, 255);
}
