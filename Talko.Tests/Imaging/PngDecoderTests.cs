using Talko.Core.Imaging;
using Talko.Core.Imaging.Png;

namespace Talko.Tests.Imaging;

public sealed class PngDecoderTests
{
    private static readonly ImagingOptions Options = new();

    [Theory]
    [InlineData("gray1", PngColorType.Gray, 1, false)]
    [InlineData("gray2", PngColorType.Gray, 2, false)]
    [InlineData("gray4", PngColorType.Gray, 4, false)]
    [InlineData("gray8", PngColorType.Gray, 8, false)]
    [InlineData("gray16", PngColorType.Gray, 16, false)]
    [InlineData("rgb8", PngColorType.Rgb, 8, false)]
    [InlineData("rgb16", PngColorType.Rgb, 16, false)]
    [InlineData("palette1", PngColorType.Indexed, 1, false)]
    [InlineData("palette2", PngColorType.Indexed, 2, false)]
    [InlineData("palette4", PngColorType.Indexed, 4, false)]
    [InlineData("palette8", PngColorType.Indexed, 8, false)]
    [InlineData("palette-trns", PngColorType.Indexed, 2, false)]
    [InlineData("grayalpha8", PngColorType.GrayAlpha, 8, false)]
    [InlineData("grayalpha16", PngColorType.GrayAlpha, 16, false)]
    [InlineData("rgba8", PngColorType.RgbAlpha, 8, false)]
    [InlineData("rgba16", PngColorType.RgbAlpha, 16, false)]
    [InlineData("rgb8-adam7", PngColorType.Rgb, 8, true)]
    [InlineData("gray2-adam7", PngColorType.Gray, 2, true)]
    [InlineData("palette4-adam7", PngColorType.Indexed, 4, true)]
    [InlineData("rgba16-adam7", PngColorType.RgbAlpha, 16, true)]
    public void Decodes_every_colour_type_and_depth_like_the_reference(string name, PngColorType colorType, int bitDepth, bool interlaced)
    {
        var sink = new ImageFixtures.FullImageSink();
        using var input = new MemoryStream(ImageFixtures.Read(name + ".png"));

        var header = new PngDecoder(Options).Decode(input, sink);

        Assert.Equal((colorType, bitDepth, interlaced), (header.ColorType, header.BitDepth, header.Interlaced));
        var reference = ImageFixtures.ReadPpm(name + ".ref.ppm");
        var (max, _) = ImageFixtures.Difference(reference, sink.Image!);
        // Exact except for rounding when alpha is composited over white or 16 bits become 8.
        Assert.True(max <= 1, $"{name}: largest difference {max}");
    }

    [Fact]
    public void Refuses_an_image_larger_than_the_pixel_limit_before_reading_its_data()
    {
        var png = ImageFixtures.Png(ImageFixtures.Pattern(100, 50));
        var sink = new ImageFixtures.FullImageSink();

        var error = Assert.Throws<ImageTooLargeException>(() => new PngDecoder(new ImagingOptions { MaxPixels = 4999 }).Decode(new MemoryStream(png), sink));

        Assert.Contains("100x50", error.Message);
        Assert.Null(sink.Image);
    }

    [Fact]
    public void A_declared_size_of_billions_of_pixels_is_refused_without_allocating()
    {
        var png = ImageFixtures.Png(ImageFixtures.Pattern(4, 4));
        // Width 65535 x height 65535 in IHDR: the data cannot match, but the limit is checked first.
        png[16] = 0; png[17] = 0; png[18] = 0xFF; png[19] = 0xFF;
        png[20] = 0; png[21] = 0; png[22] = 0xFF; png[23] = 0xFF;
        var before = GC.GetAllocatedBytesForCurrentThread();

        Assert.Throws<ImageTooLargeException>(() => new PngDecoder(Options).Decode(new MemoryStream(png), new BoxDownscaler(320)));

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1024 * 1024);
    }

    [Fact]
    public void An_unknown_critical_chunk_is_refused_and_unknown_ancillary_chunks_are_skipped()
    {
        var png = ImageFixtures.Png(ImageFixtures.Pattern(8, 8));
        var ancillary = Insert(png, "teXt", "Comment\0hello"u8.ToArray());
        var sink = new ImageFixtures.FullImageSink();
        new PngDecoder(Options).Decode(new MemoryStream(ancillary), sink);
        Assert.Equal(ImageFixtures.Pattern(8, 8).Pixels, sink.Image!.Pixels);

        var critical = Insert(png, "ZZZZ", [1, 2, 3]);
        Assert.Throws<UnsupportedImageException>(() => new PngDecoder(Options).Decode(new MemoryStream(critical), new BoxDownscaler(320)));
    }

    /// <summary>Inserts a chunk after IHDR (8-byte signature + 25-byte IHDR chunk).</summary>
    private static byte[] Insert(byte[] png, string type, byte[] data)
    {
        using var chunk = new MemoryStream();
        var length = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        chunk.Write(length);
        chunk.Write(System.Text.Encoding.ASCII.GetBytes(type));
        chunk.Write(data);
        chunk.Write(new byte[4]); // CRCs are not checked
        return [.. png.AsSpan(0, 33), .. chunk.ToArray(), .. png.AsSpan(33)];
    }
}
