namespace Talko.Core.Imaging.Png;

/// <summary>Reverses the five filter types of filter method 0 (ISO/IEC 15948 section 9.2).</summary>
internal static class PngFilters
{
    public static void Unfilter(byte type, Span<byte> row, ReadOnlySpan<byte> previous, int bytesPerPixel)
    {
        switch (type)
        {
            case 0:
                break;
            case 1:
                for (var i = bytesPerPixel; i < row.Length; i++)
                {
                    row[i] += row[i - bytesPerPixel];
                }

                break;
            case 2:
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] += previous[i];
                }

                break;
            case 3:
                for (var i = 0; i < row.Length; i++)
                {
                    var left = i >= bytesPerPixel ? row[i - bytesPerPixel] : 0;
                    row[i] += (byte)((left + previous[i]) >> 1);
                }

                break;
            case 4:
                for (var i = 0; i < row.Length; i++)
                {
                    int a = i >= bytesPerPixel ? row[i - bytesPerPixel] : 0, b = previous[i], c = i >= bytesPerPixel ? previous[i - bytesPerPixel] : 0;
                    row[i] += Paeth(a, b, c);
                }

                break;
            default:
                throw new ImageDecodingException($"The PNG image has a row with unknown filter type {type}.");
        }
    }

    /// <summary>Section 9.4: the neighbour (left, above, upper left) closest to left + above - upper left, ties in that order.</summary>
    private static byte Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
    }
}
