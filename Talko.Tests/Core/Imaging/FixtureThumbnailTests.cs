using Talko.Core.Imaging;

namespace Talko.Tests.Core.Imaging;

/// <summary>
/// The fixture files (every PNG colour type and depth, interlaced or not; JPEG sampling variants, restarts,
/// progressive, one scan per component, Exif orientation) through the thumbnailer, against the reference decodes
/// ImageMagick and djpeg made of them (scripts/make-imaging-fixtures.sh).
/// </summary>
public sealed class FixtureThumbnailTests
{
    public static TheoryData<string> SmallFixtures()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Core", "Imaging", "Fixtures")).Order())
        {
            var name = Path.GetFileName(path);
            if (!name.EndsWith(".ppm", StringComparison.Ordinal) && !name.StartsWith("jlarge", StringComparison.Ordinal))
            {
                data.Add(name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SmallFixtures))]
    public void Small_fixtures_keep_their_size_and_look_like_the_reference(string name)
    {
        var codec = name.EndsWith(".png", StringComparison.Ordinal) ? ImageCodec.Png : ImageCodec.Jpeg;

        var thumbnail = new Thumbnailer(new ImagingOptions { ThumbnailMaxSide = 1024, JpegQuality = 95 }).Create(new MemoryStream(ImageFixtures.Read(name)), codec);

        var reference = ImageFixtures.ReadPpm(Path.GetFileNameWithoutExtension(name) + ".ref.ppm");
        var (_, mean) = ImageFixtures.Difference(reference, ImageFixtures.Decode(thumbnail.Jpeg));
        // The thumbnail's own JPEG coding (quality 95), colour rounding, and Skia's conversion of a PNG's gAMA
        // (1/2.2) to sRGB, which ImageMagick's reference leaves out, separate them.
        Assert.True(mean < 4.5, $"{name}: mean difference {mean:0.00}");
    }

    [Theory]
    [InlineData("jlarge-420", 32, 5)]
    [InlineData("jlarge-progressive", 32, 5)]
    [InlineData("jlarge-411-progressive", 32, 7.5)] // 4:1:1 chroma at 1/8 scale is one sample per 4x1 pixels
    [InlineData("jlarge-420", 64, 5)]
    [InlineData("jlarge-progressive", 100, 5)]
    [InlineData("jlarge-411-progressive", 128, 5)]
    public void Reduced_size_decodes_match_the_full_decode_averaged_down(string name, int maxSide, double tolerance)
    {
        var thumbnail = new Thumbnailer(new ImagingOptions { ThumbnailMaxSide = maxSide, JpegQuality = 95 }).Create(new MemoryStream(ImageFixtures.Read(name + ".jpg")), ImageCodec.Jpeg);

        Assert.True(thumbnail.DecodeWidth < 256, $"{name} was decoded at full size");
        var decoded = ImageFixtures.Decode(thumbnail.Jpeg);
        var expected = ImageFixtures.AreaMean(ImageFixtures.ReadPpm(name + ".ref.ppm"), decoded.Width, decoded.Height);
        var (_, mean) = ImageFixtures.Difference(expected, decoded);
        Assert.True(mean < tolerance, $"{name} at {maxSide}: mean difference {mean:0.00}");
    }
}
