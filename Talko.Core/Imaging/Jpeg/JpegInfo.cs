namespace Talko.Core.Imaging.Jpeg;

/// <summary>What a JPEG decode found: the frame size, the Exif orientation (1 when absent), and the scale decoded at (1 or 8).</summary>
public sealed record JpegInfo(int Width, int Height, int Orientation, int Scale);
