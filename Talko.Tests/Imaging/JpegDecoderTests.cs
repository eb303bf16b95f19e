using Talko.Core.Imaging;
using Talko.Core.Imaging.Jpeg;

namespace Talko.Tests.Imaging;

public sealed class JpegDecoderTests
{
    private static readonly ImagingOptions Options = new();

    [Theory]
    [InlineData("j444")]
    [InlineData("j422")]
    [InlineData("j420")]
    [InlineData("j440")]
    [InlineData("j411")]
    [InlineData("jgray")]
    [InlineData("jrestart")]
    [InlineData("jprogressive")]
    [InlineData("jprogressive-444-restart")]
    [InlineData("jprogressive-gray")]
    [InlineData("jsequential-scans")]
    public void Decodes_sampling_variants_grayscale_restarts_and_progressive_like_djpeg(string name)
    {
        var sink = new ImageFixtures.FullImageSink();

        var info = new JpegDecoder(Options).Decode(new MemoryStream(ImageFixtures.Read(name + ".jpg")), sink);

        Assert.Equal((67, 45, 1, 1), (info.Width, info.Height, info.Orientation, info.Scale));
        var reference = ImageFixtures.ReadPpm(name + ".ref.ppm");
        var (max, mean) = ImageFixtures.Difference(reference, sink.Image!);
        // Same float IDCT and replicating upsampling as the reference; colour conversion rounds differently.
        Assert.True(max <= 3 && mean < 0.6, $"{name}: largest difference {max}, mean {mean:0.000}");
    }

    [Fact]
    public void Reads_the_exif_orientation_and_the_thumbnailer_turns_the_picture()
    {
        var jpeg = ImageFixtures.Read("jorient6.jpg");
        var info = new JpegDecoder(Options).Decode(new MemoryStream(jpeg), new ImageFixtures.FullImageSink());
        Assert.Equal(6, info.Orientation);

        var thumbnail = new Thumbnailer(new ImagingOptions { ThumbnailMaxSide = 100, JpegQuality = 95 }).Create(new MemoryStream(jpeg), ImageCodec.Jpeg);

        Assert.Equal((45, 67), (thumbnail.Width, thumbnail.Height));
        var decoded = new ImageFixtures.FullImageSink();
        new JpegDecoder(Options).Decode(new MemoryStream(thumbnail.Jpeg), decoded);
        var (_, mean) = ImageFixtures.Difference(ImageFixtures.ReadPpm("jorient6.ref.ppm"), decoded.Image!);
        Assert.True(mean < 4, $"mean difference {mean:0.00}");
    }

    [Theory]
    [InlineData("jlarge-420", 32, 8)]
    [InlineData("jlarge-progressive", 32, 8)]
    [InlineData("jlarge-411-progressive", 32, 8)]
    [InlineData("jlarge-420", 64, 4)]
    [InlineData("jlarge-progressive", 64, 4)]
    [InlineData("jlarge-411-progressive", 64, 4)]
    [InlineData("jlarge-420", 128, 2)]
    [InlineData("jlarge-progressive", 128, 2)]
    [InlineData("jlarge-411-progressive", 128, 2)]
    public void Reduced_scales_give_the_mean_of_each_box_of_a_full_decode(string name, int bound, int scale)
    {
        var sink = new ImageFixtures.FullImageSink();

        var info = new JpegDecoder(Options).Decode(new MemoryStream(ImageFixtures.Read(name + ".jpg")), sink, reduceToFit: bound);

        Assert.Equal((256, 160, scale), (info.Width, info.Height, info.Scale));
        // djpeg's full decode averaged over the same boxes: equal but for rounding, and where samples clamp
        // (a full decode clamps each pixel before averaging; small boxes near saturated colours show it most).
        var full = ImageFixtures.ReadPpm(name + ".ref.ppm");
        var boxes = new BoxDownscaler(bound);
        boxes.Begin(full.Width, full.Height);
        for (var y = 0; y < full.Height; y++)
        {
            boxes.WriteRow(y, full.Row(y));
        }

        var (max, mean) = ImageFixtures.Difference(boxes.ToImage(), sink.Image!);
        Assert.True(max <= 8 && mean < 0.4, $"{name}: largest difference {max}, mean {mean:0.000}");
    }

    [Fact]
    public void Progressive_images_needing_more_coefficient_memory_than_allowed_are_refused()
    {
        var error = Assert.Throws<ImageTooLargeException>(() =>
            new JpegDecoder(new ImagingOptions { MaxCoefficientBytes = 10_000 }).Decode(new MemoryStream(ImageFixtures.Read("jprogressive.jpg")), new BoxDownscaler(320)));
        Assert.Contains("coefficients", error.Message);
    }

    [Fact]
    public void Large_reductions_decode_only_the_dc_coefficients_and_match_a_full_decode_box_filtered()
    {
        var image = ImageFixtures.Pattern(640, 480);
        var jpeg = JpegEncoder.Encode(image, 90);

        var reduced = new BoxDownscaler(40);
        var info = new JpegDecoder(Options).Decode(new MemoryStream(jpeg), reduced, reduceToFit: 40);
        var full = new BoxDownscaler(40);
        new JpegDecoder(Options).Decode(new MemoryStream(jpeg), full);

        Assert.Equal(8, info.Scale);
        Assert.Equal((80, 60), (reduced.SourceWidth, reduced.SourceHeight));
        var (max, _) = ImageFixtures.Difference(full.ToImage(), reduced.ToImage());
        Assert.True(max <= 3, $"largest difference {max}");
    }

    [Fact]
    public void A_frame_larger_than_the_pixel_limit_is_refused_before_any_row()
    {
        var jpeg = JpegEncoder.Encode(ImageFixtures.Pattern(64, 64), 80);
        var sink = new ImageFixtures.FullImageSink();

        Assert.Throws<ImageTooLargeException>(() => new JpegDecoder(new ImagingOptions { MaxPixels = 4095 }).Decode(new MemoryStream(jpeg), sink));

        Assert.Null(sink.Image);
    }
}
