namespace Talko.Core.Imaging;

/// <summary>The still-image codings Talko makes thumbnails of (through SkiaSharp, ADR 0351).</summary>
public enum ImageCodec
{
    Png,
    Jpeg,
    Webp,
}
