namespace Talko.Core.Imaging;

/// <summary>
/// An area (box) filter: every source pixel belongs to exactly one target pixel, and a target pixel is
/// the mean of its box. Sums are kept for the whole target (small), so rows can arrive in any order.
/// </summary>
public sealed class BoxDownscaler(int maxSide) : IRowSink
{
    private int[] columnTarget = [];
    private int[] rowTarget = [];
    private int[] columnCount = [];
    private int[] rowCount = [];
    private long[] sums = [];

    public int SourceWidth { get; private set; }

    public int SourceHeight { get; private set; }

    public int TargetWidth { get; private set; }

    public int TargetHeight { get; private set; }

    /// <summary>The target size that fits in <paramref name="maxSide"/> with the same aspect; never larger than the source.</summary>
    public static (int Width, int Height) Fit(int width, int height, int maxSide)
    {
        if (width <= maxSide && height <= maxSide)
        {
            return (width, height);
        }

        return width >= height
            ? (maxSide, Math.Max(1, (int)Math.Round((double)height * maxSide / width)))
            : (Math.Max(1, (int)Math.Round((double)width * maxSide / height)), maxSide);
    }

    public void Begin(int width, int height)
    {
        SourceWidth = width;
        SourceHeight = height;
        (TargetWidth, TargetHeight) = Fit(width, height, maxSide);
        (columnTarget, columnCount) = Map(width, TargetWidth);
        (rowTarget, rowCount) = Map(height, TargetHeight);
        sums = new long[TargetWidth * TargetHeight * 3];
    }

    public void WriteRow(int y, ReadOnlySpan<byte> rgb, int x0 = 0, int step = 1)
    {
        var rowBase = rowTarget[y] * TargetWidth * 3;
        var sums = this.sums;
        for (int i = 0, x = x0; i + 2 < rgb.Length && x < SourceWidth; i += 3, x += step)
        {
            var at = rowBase + (columnTarget[x] * 3);
            sums[at] += rgb[i];
            sums[at + 1] += rgb[i + 1];
            sums[at + 2] += rgb[i + 2];
        }
    }

    /// <summary>The target image: each pixel the rounded mean of its box.</summary>
    public RgbImage ToImage()
    {
        if (TargetWidth == 0)
        {
            throw new InvalidOperationException("No image was begun.");
        }

        var image = new RgbImage(TargetWidth, TargetHeight);
        for (var ty = 0; ty < TargetHeight; ty++)
        {
            for (var tx = 0; tx < TargetWidth; tx++)
            {
                long count = (long)rowCount[ty] * columnCount[tx];
                var at = ((ty * TargetWidth) + tx) * 3;
                for (var c = 0; c < 3; c++)
                {
                    image.Pixels[at + c] = (byte)((sums[at + c] + (count / 2)) / count);
                }
            }
        }

        return image;
    }

    private static (int[] Target, int[] Count) Map(int source, int target)
    {
        var map = new int[source];
        var count = new int[target];
        for (var i = 0; i < source; i++)
        {
            map[i] = (int)((long)i * target / source);
            count[map[i]]++;
        }

        return (map, count);
    }
}
