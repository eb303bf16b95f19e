namespace Talko.Core.Imaging;

/// <summary>Limits and settings for decoding photos and making thumbnails; bound from "Talko:Imaging".</summary>
public sealed class ImagingOptions
{
    public const string Section = "Talko:Imaging";

    /// <summary>Largest image, in pixels, that is decoded; checked from the header before anything is allocated.</summary>
    public long MaxPixels { get; set; } = 40_000_000;

    /// <summary>Largest width or height accepted, whatever the pixel count (PNG allows 2^31-1).</summary>
    public int MaxDimension { get; set; } = 65_535;

    /// <summary>
    /// The thumbnail fits in a square of this side; the long side of the result is at most this. At most 1024:
    /// the box filter keeps 24 bytes of sums per target pixel (25 MB at 1024x1024).
    /// </summary>
    public int ThumbnailMaxSide { get; set; } = 320;

    /// <summary>JPEG quality of the thumbnail, 1 (smallest) to 100 (best); scales the ITU-T T.81 annex K tables.</summary>
    public int JpegQuality { get; set; } = 80;

    /// <summary>Largest non-image-data PNG chunk; such chunks are skipped, not buffered, but a huge one means a broken file.</summary>
    public int MaxPngChunkBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Largest total of compressed image data read, so a file of endless tiny chunks still ends.</summary>
    public long MaxCompressedBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// Largest coefficient buffer for JPEGs decoded scan by scan (progressive, or sequential with one scan per
    /// component), which must hold the whole image's coefficients: 128 bytes per 8x8 block, or 2 when only the
    /// DC coefficients are needed (images at least eight times the thumbnail).
    /// </summary>
    public long MaxCoefficientBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>How long one thumbnail may take before it is abandoned.</summary>
    public TimeSpan MaxDecodeTime { get; set; } = TimeSpan.FromSeconds(20);

    public bool IsValid() =>
        MaxPixels > 0 && MaxDimension > 0 && ThumbnailMaxSide is > 0 and <= 1024 && JpegQuality is >= 1 and <= 100
        && MaxPngChunkBytes > 0 && MaxCompressedBytes > 0 && MaxCoefficientBytes > 0 && MaxDecodeTime > TimeSpan.Zero;
}
