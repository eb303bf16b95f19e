namespace Talko.Tests.Core.Imaging;

/// <summary>An 8-bit RGB picture, row-major, 3 bytes a pixel: what tests build, compare and encode.</summary>
internal sealed class RgbImage(int width, int height, byte[]? pixels = null)
{
    public int Width { get; } = width;

    public int Height { get; } = height;

    public byte[] Pixels { get; } = pixels ?? new byte[width * height * 3];

    public Span<byte> Row(int y) => Pixels.AsSpan(y * Width * 3, Width * 3);
}
