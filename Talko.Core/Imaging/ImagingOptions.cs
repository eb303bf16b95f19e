namespace Talko.Core.Imaging;

/// <summary>Limits and settings for decoding photos and making thumbnails; bound from "Talko:Imaging".</summary>
public sealed class ImagingOptions
{
    public const string Section = "Talko:Imaging";

    /// <summary>
    /// Largest image, in pixels, that is decoded; checked from the header before any pixel memory is allocated.
    /// A PNG is decoded at full size (4 bytes a pixel: 160 MB at the default), a JPEG or WebP at a reduced one.
    /// </summary>
    public long MaxPixels { get; set; } = 40_000_000;

    /// <summary>Largest width or height accepted, whatever the pixel count (PNG allows 2^31-1).</summary>
    public int MaxDimension { get; set; } = 65_535;

    /// <summary>The thumbnail fits in a square of this side; the long side of the result is at most this.</summary>
    public int ThumbnailMaxSide { get; set; } = 320;

    /// <summary>JPEG quality of the thumbnail, 1 (smallest) to 100 (best).</summary>
    public int JpegQuality { get; set; } = 80;

    /// <summary>
    /// How long one thumbnail may take before it is abandoned. Checked whenever the decoder reads more of the
    /// photo (every few KiB) and between decoding and scaling.
    /// </summary>
    public TimeSpan MaxDecodeTime { get; set; } = TimeSpan.FromSeconds(20);

    public bool IsValid() =>
        MaxPixels > 0 && MaxDimension > 0 && ThumbnailMaxSide is > 0 and <= 1024 && JpegQuality is >= 1 and <= 100 && MaxDecodeTime > TimeSpan.Zero;
}
