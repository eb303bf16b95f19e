namespace Talko.Core.Imaging;

/// <summary>
/// Turns an image as stored into the image as it should be shown, per the Exif Orientation tag
/// (JEITA CP-3451 tag 0x0112; TIFF 6.0): 1 as stored, 2 mirrored, 3 turned 180°, 4 flipped,
/// 5 transposed, 6 needs a 90° clockwise turn, 7 transversed, 8 needs a 90° anticlockwise turn.
/// </summary>
public static class Orientation
{
    public static RgbImage Apply(RgbImage stored, int orientation)
    {
        if (orientation is < 2 or > 8)
        {
            return stored;
        }

        int w = stored.Width, h = stored.Height;
        var swap = orientation >= 5;
        var shown = swap ? new RgbImage(h, w) : new RgbImage(w, h);
        for (var y = 0; y < shown.Height; y++)
        {
            for (var x = 0; x < shown.Width; x++)
            {
                var (sx, sy) = orientation switch
                {
                    2 => (w - 1 - x, y),
                    3 => (w - 1 - x, h - 1 - y),
                    4 => (x, h - 1 - y),
                    5 => (y, x),
                    6 => (y, h - 1 - x),
                    7 => (w - 1 - y, h - 1 - x),
                    _ => (w - 1 - y, x),
                };
                stored.Pixels.AsSpan(((sy * w) + sx) * 3, 3).CopyTo(shown.Pixels.AsSpan(((y * shown.Width) + x) * 3));
            }
        }

        return shown;
    }
}
