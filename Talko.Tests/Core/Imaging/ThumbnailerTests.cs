using System.Buffers.Binary;
using Talko.Core.Imaging;

namespace Talko.Tests.Core.Imaging;

public sealed class ThumbnailerTests
{
    [Theory]
    [InlineData(1000, 500, 320, 320, 160)]
    [InlineData(500, 1000, 320, 160, 320)]
    [InlineData(100, 80, 320, 100, 80)]
    [InlineData(4000, 3, 320, 320, 1)]
    [InlineData(641, 479, 64, 64, 48)]
    public void Thumbnails_fit_the_bounding_square_keep_the_aspect_and_never_grow(int width, int height, int maxSide, int expectedWidth, int expectedHeight)
    {
        var png = ImageFixtures.Png(ImageFixtures.Pattern(width, height));

        var thumbnail = new Thumbnailer(new ImagingOptions { ThumbnailMaxSide = maxSide }).Create(new MemoryStream(png), ImageCodec.Png);

        Assert.Equal((expectedWidth, expectedHeight, width, height), (thumbnail.Width, thumbnail.Height, thumbnail.SourceWidth, thumbnail.SourceHeight));
        var decoded = ImageFixtures.Decode(thumbnail.Jpeg);
        Assert.Equal((expectedWidth, expectedHeight), (decoded.Width, decoded.Height));
    }

    [Fact]
    public void Fine_detail_averages_out_instead_of_aliasing_into_stripes()
    {
        // One-pixel black and white columns: every thumbnail pixel covers about three of them and must be mid grey.
        // Bilinear sampling without mipmaps picks two neighbours and shows bands from black to white.
        var stripes = new RgbImage(1000, 600);
        for (var y = 0; y < 600; y++)
        {
            for (var x = 1; x < 1000; x += 2)
            {
                stripes.Row(y).Slice(x * 3, 3).Fill(255);
            }
        }

        var thumbnail = new Thumbnailer(new ImagingOptions { JpegQuality = 95 }).Create(new MemoryStream(ImageFixtures.Png(stripes)), ImageCodec.Png);

        var decoded = ImageFixtures.Decode(thumbnail.Jpeg);
        Assert.Equal((320, 192), (decoded.Width, decoded.Height));
        var worst = decoded.Pixels.Max(p => Math.Abs(p - 128));
        Assert.True(worst < 40, $"a pixel is {worst} away from mid grey");
    }

    [Fact]
    public void Large_jpegs_and_webps_are_decoded_at_a_reduced_size_and_pngs_at_full_size()
    {
        var picture = ImageFixtures.Pattern(2560, 1920);
        var thumbnailer = new Thumbnailer(new ImagingOptions());

        var jpeg = thumbnailer.Create(new MemoryStream(ImageFixtures.Jpeg(picture, 90)), ImageCodec.Jpeg);
        var webp = thumbnailer.Create(new MemoryStream(ImageFixtures.Webp(picture, 80)), ImageCodec.Webp);
        var png = thumbnailer.Create(new MemoryStream(ImageFixtures.Png(picture)), ImageCodec.Png);

        // 2560 / 320 is exactly the JPEG 1/8 DCT scale.
        Assert.Equal((320, 240), (jpeg.DecodeWidth, jpeg.DecodeHeight));
        Assert.True(webp.DecodeWidth < 2560 && webp.DecodeWidth >= 320, $"WebP decoded at {webp.DecodeWidth}x{webp.DecodeHeight}");
        Assert.Equal((2560, 1920), (png.DecodeWidth, png.DecodeHeight));
        foreach (var thumbnail in new[] { jpeg, webp, png })
        {
            var (_, mean) = ImageFixtures.Difference(ImageFixtures.AreaMean(picture, 320, 240), ImageFixtures.Decode(thumbnail.Jpeg));
            Assert.True(mean < 6, $"decoded at {thumbnail.DecodeWidth}: mean difference {mean:0.00}");
        }
    }

    [Theory]
    [InlineData(1, 0, 0)]
    [InlineData(2, 2, 0)]
    [InlineData(3, 2, 1)]
    [InlineData(4, 0, 1)]
    [InlineData(5, 0, 0)]
    [InlineData(6, 1, 0)]
    [InlineData(7, 1, 2)]
    [InlineData(8, 0, 2)]
    public void Exif_orientations_move_the_stored_top_left_block_where_it_is_shown(int orientation, int shownX, int shownY)
    {
        // Stored as 3 x 2 blocks of 16 pixels, only the top-left block white.
        const int Block = 16;
        var stored = new RgbImage(3 * Block, 2 * Block);
        for (var y = 0; y < Block; y++)
        {
            stored.Row(y)[..(Block * 3)].Fill(255);
        }

        var jpeg = WithExifOrientation(ImageFixtures.Jpeg(stored, 95), orientation);

        var thumbnail = new Thumbnailer(new ImagingOptions { JpegQuality = 95 }).Create(new MemoryStream(jpeg), ImageCodec.Jpeg);

        var shown = ImageFixtures.Decode(thumbnail.Jpeg);
        Assert.Equal(orientation >= 5 ? (2 * Block, 3 * Block) : (3 * Block, 2 * Block), (shown.Width, shown.Height));
        for (var by = 0; by < shown.Height / Block; by++)
        {
            for (var bx = 0; bx < shown.Width / Block; bx++)
            {
                var centre = shown.Pixels[((((by * Block) + (Block / 2)) * shown.Width) + (bx * Block) + (Block / 2)) * 3];
                Assert.True((bx, by) == (shownX, shownY) ? centre > 200 : centre < 55, $"block ({bx},{by}) is {centre}");
            }
        }
    }

    /// <summary>Inserts an Exif APP1 segment (TIFF header, IFD0 with tag 0x0112 only) after the SOI marker.</summary>
    internal static byte[] WithExifOrientation(byte[] jpeg, int orientation)
    {
        var tiff = new byte[26];
        "II"u8.CopyTo(tiff);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(2), 42);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(4), 8);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(8), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(10), 0x0112);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(12), 3);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(14), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(18), (ushort)orientation);
        var payload = "Exif\0\0"u8.ToArray().Concat(tiff).ToArray();
        var segment = new byte[] { 0xFF, 0xE1, (byte)((payload.Length + 2) >> 8), (byte)(payload.Length + 2) }.Concat(payload);
        return jpeg[..2].Concat(segment).Concat(jpeg[2..]).ToArray();
    }
}
