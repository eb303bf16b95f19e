using System.Diagnostics;
using Talko.Core.Imaging;
using Talko.Core.Imaging.Jpeg;

namespace Talko.Tests.Imaging;

public sealed class JpegEncoderTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(37, 23)]
    [InlineData(320, 240)]
    public void Encoded_images_decode_back_close_to_the_original(int width, int height)
    {
        var image = ImageFixtures.Pattern(width, height);

        var jpeg = JpegEncoder.Encode(image, 90);

        var sink = new ImageFixtures.FullImageSink();
        new JpegDecoder(new ImagingOptions()).Decode(new MemoryStream(jpeg), sink);
        var (_, mean) = ImageFixtures.Difference(image, sink.Image!);
        Assert.True(mean < 3, $"mean difference {mean:0.00}");
    }

    [Fact]
    public void Higher_quality_costs_bytes_and_buys_accuracy()
    {
        var image = ImageFixtures.Pattern(160, 120);
        var low = JpegEncoder.Encode(image, 30);
        var high = JpegEncoder.Encode(image, 95);

        Assert.True(high.Length > low.Length);
        Assert.True(MeanError(image, high) < MeanError(image, low));
    }

    /// <summary>libjpeg-turbo's djpeg must accept what the encoder writes (when installed; CI images have it, see the fixture script).</summary>
    [Fact]
    public async Task Djpeg_decodes_the_output_to_the_same_pixels()
    {
        if (!File.Exists("/usr/bin/djpeg"))
        {
            Assert.Fail("djpeg is missing: apt-get install -y libjpeg-turbo-progs");
        }

        var image = ImageFixtures.Pattern(75, 41);
        var jpeg = JpegEncoder.Encode(image, 85);
        var path = Path.Combine(Path.GetTempPath(), $"talko-{Guid.NewGuid():N}.jpg");
        await File.WriteAllBytesAsync(path, jpeg);
        try
        {
            var start = new ProcessStartInfo("/usr/bin/djpeg", ["-nosmooth", "-dct", "float", "-pnm", path]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var djpeg = Process.Start(start)!;
            using var ppm = new MemoryStream();
            await djpeg.StandardOutput.BaseStream.CopyToAsync(ppm).WaitAsync(TimeSpan.FromSeconds(20));
            await djpeg.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(string.Empty, await djpeg.StandardError.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(5)));
            Assert.Equal(0, djpeg.ExitCode);

            var ours = new ImageFixtures.FullImageSink();
            new JpegDecoder(new ImagingOptions()).Decode(new MemoryStream(jpeg), ours);
            var header = $"P6\n75 41\n255\n";
            var theirs = new RgbImage(75, 41, ppm.ToArray()[header.Length..]);
            var (max, _) = ImageFixtures.Difference(theirs, ours.Image!);
            Assert.True(max <= 3, $"largest difference {max}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static double MeanError(RgbImage image, byte[] jpeg)
    {
        var sink = new ImageFixtures.FullImageSink();
        new JpegDecoder(new ImagingOptions()).Decode(new MemoryStream(jpeg), sink);
        return ImageFixtures.Difference(image, sink.Image!).Mean;
    }
}
