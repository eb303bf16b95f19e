namespace Talko.Core.Imaging;

/// <summary>
/// Receives decoded pixels as 8-bit RGB rows. Decoders push into a sink instead of returning a whole
/// image, so a 40-megapixel photo never needs a 120 MB buffer to become a 320-pixel thumbnail.
/// </summary>
public interface IRowSink
{
    /// <summary>Called once, after the header is read and checked, before any row.</summary>
    void Begin(int width, int height);

    /// <summary>
    /// Pixels of row <paramref name="y"/> at columns <paramref name="x0"/>, x0 + step, x0 + 2 step...
    /// (step is 1 except for PNG Adam7 passes). Rows may arrive in any order, each pixel once.
    /// </summary>
    void WriteRow(int y, ReadOnlySpan<byte> rgb, int x0 = 0, int step = 1);
}
