namespace Talko.Core.Imaging.Png;

/// <summary>Colour types of the IHDR chunk (ISO/IEC 15948 section 11.2.2).</summary>
public enum PngColorType : byte
{
    Gray = 0,
    Rgb = 2,
    Indexed = 3,
    GrayAlpha = 4,
    RgbAlpha = 6,
}

public sealed record PngHeader(int Width, int Height, int BitDepth, PngColorType ColorType, bool Interlaced)
{
    public int Channels => ColorType switch
    {
        PngColorType.Gray or PngColorType.Indexed => 1,
        PngColorType.GrayAlpha => 2,
        PngColorType.Rgb => 3,
        _ => 4,
    };
}
