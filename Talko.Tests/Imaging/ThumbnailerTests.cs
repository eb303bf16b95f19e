using Talko.Core.Imaging;
using Talko.Core.Imaging.Jpeg;

namespace Talko.Tests.Imaging;

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
        var decoded = new ImageFixtures.FullImageSink();
        new JpegDecoder(new ImagingOptions()).Decode(new MemoryStream(thumbnail.Jpeg), decoded);
        Assert.Equal((expectedWidth, expectedHeight), (decoded.Image!.Width, decoded.Image.Height));
    }

    [Fact]
    public void The_box_filter_averages_each_area()
    {
        // Columns alternate black and white: every 2x2 box averages to mid grey.
        var image = new RgbImage(64, 32);
        for (var i = 0; i < image.Pixels.Length; i += 3)
        {
            var x = i / 3 % 64;
            image.Pixels.AsSpan(i, 3).Fill(x % 2 == 0 ? (byte)0 : (byte)255);
        }

        var shrink = new BoxDownscaler(32);
        shrink.Begin(64, 32);
        for (var y = 0; y < 32; y++)
        {
            shrink.WriteRow(y, image.Row(y));
        }

        var small = shrink.ToImage();
        Assert.Equal((32, 16), (small.Width, small.Height));
        Assert.All(small.Pixels, p => Assert.Equal(128, p));
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
    public void Exif_orientations_move_the_stored_top_left_pixel_where_it_is_shown(int orientation, int shownX, int shownY)
    {
        // Stored 3 wide, 2 high, with only the top-left pixel lit.
        var stored = new RgbImage(3, 2);
        stored.Pixels.AsSpan(0, 3).Fill(255);

        var shown = Orientation.Apply(stored, orientation);

        Assert.Equal(orientation >= 5 ? (2, 3) : (3, 2), (shown.Width, shown.Height));
        Assert.Equal(255, shown.Pixels[((shownY * shown.Width) + shownX) * 3]);
        Assert.Equal(3 * 255, shown.Pixels.Sum(p => p));
    }

    [Fact]
    public void Decoding_streams_rows_so_allocations_stay_far_below_the_image_size()
    {
        // 2400x1600 RGB is 11.5 MB decoded; the thumbnailer must never hold it.
        var picture = ImageFixtures.Pattern(2400, 1600);
        var inputs = new[] { (ImageFixtures.Png(picture), ImageCodec.Png), (JpegEncoder.Encode(picture, 85), ImageCodec.Jpeg) };
        var thumbnailer = new Thumbnailer(new ImagingOptions());
        foreach (var (content, codec) in inputs)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var thumbnail = thumbnailer.Create(new MemoryStream(content), codec);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.Equal((320, 213), (thumbnail.Width, thumbnail.Height));
            Assert.True(allocated < 4 * 1024 * 1024, $"{codec}: {allocated} bytes allocated");
        }

        // The JPEG decoder at full scale (what smaller photos get) streams MCU rows just the same.
        var start = GC.GetAllocatedBytesForCurrentThread();
        new JpegDecoder(new ImagingOptions()).Decode(new MemoryStream(inputs[1].Item1), new BoxDownscaler(320));
        var fullScale = GC.GetAllocatedBytesForCurrentThread() - start;
        Assert.True(fullScale < 4 * 1024 * 1024, $"full-scale JPEG: {fullScale} bytes allocated");
    }
}
