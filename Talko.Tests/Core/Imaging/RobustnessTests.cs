using Talko.Core.Imaging;

namespace Talko.Tests.Core.Imaging;

/// <summary>
/// Damaged input through SkiaSharp: every outcome is a thumbnail or <see cref="ImageDecodingException"/>, within a
/// time bound, and the process survives (a native crash would end the test run).
/// </summary>
public sealed class RobustnessTests
{
    private const string LossyWebp = "pattern-lossy.webp (made by the test)";
    private const string LosslessWebp = "pattern-lossless.webp (made by the test)";

    private static readonly ImagingOptions Options = new() { ThumbnailMaxSide = 32 };

    private static byte[] Load(string name) => name switch
    {
        LossyWebp => ImageFixtures.Webp(ImageFixtures.Pattern(90, 70), 75),
        LosslessWebp => ImageFixtures.Webp(ImageFixtures.Pattern(90, 70), 100),
        _ => ImageFixtures.Read(name),
    };

    private static ImageCodec CodecOf(string name) =>
        name.Contains(".png", StringComparison.Ordinal) ? ImageCodec.Png : name.Contains(".webp", StringComparison.Ordinal) ? ImageCodec.Webp : ImageCodec.Jpeg;

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Core", "Imaging", "Fixtures")).Where(p => !p.EndsWith(".ppm", StringComparison.Ordinal)).Order())
        {
            data.Add(Path.GetFileName(path));
        }

        data.Add(LossyWebp);
        data.Add(LosslessWebp);
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Truncated_and_corrupted_files_fail_only_with_the_typed_exception(string name)
    {
        var original = Load(name);
        var codec = CodecOf(name);
        var random = new Random(name.GetHashCode(StringComparison.Ordinal) & 0x7FFF);
        var variants = new List<byte[]>();
        for (var cut = 0; cut < original.Length; cut += Math.Max(1, original.Length / 40))
        {
            variants.Add(original[..cut]);
        }

        for (var i = 0; i < 100; i++)
        {
            var damaged = (byte[])original.Clone();
            for (var hits = random.Next(1, 4); hits > 0; hits--)
            {
                var at = random.Next(damaged.Length);
                damaged[at] = i % 2 == 0 ? (byte)random.Next(256) : (byte)(damaged[at] ^ (1 << random.Next(8)));
            }

            variants.Add(damaged);
        }

        var failures = 0;
        await Task.Run(() =>
        {
            foreach (var variant in variants)
            {
                var error = Record.Exception(() => new Thumbnailer(Options).Create(new MemoryStream(variant), codec));
                if (error is not null)
                {
                    Assert.IsAssignableFrom<ImageDecodingException>(error);
                    failures++;
                }
            }
        }).WaitAsync(TimeSpan.FromSeconds(60));

        // Every truncation short of the whole file loses the data the decoder needs.
        Assert.True(failures >= variants.Count - 100, $"{failures} of {variants.Count} variants failed");
    }

    [Fact]
    public void Garbage_and_empty_input_fail_with_the_typed_exception()
    {
        var random = new Random(7);
        foreach (var codec in Enum.GetValues<ImageCodec>())
        {
            Assert.ThrowsAny<ImageDecodingException>(() => new Thumbnailer(Options).Create(new MemoryStream([]), codec));
            for (var i = 0; i < 50; i++)
            {
                var garbage = new byte[random.Next(1, 2000)];
                random.NextBytes(garbage);
                Assert.ThrowsAny<ImageDecodingException>(() => new Thumbnailer(Options).Create(new MemoryStream(garbage), codec));
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_jpeg_whose_data_stops_early_fails_instead_of_showing_what_arrived(bool progressive)
    {
        // Skia answers Success for a progressive JPEG cut after its first scans (a blurred picture); the
        // thumbnailer notices the decoder asked for bytes past the end.
        var jpeg = ImageFixtures.Read(progressive ? "jlarge-progressive.jpg" : "jlarge-420.jpg");

        var error = Assert.ThrowsAny<ImageDecodingException>(() => new Thumbnailer(Options).Create(new MemoryStream(jpeg[..(jpeg.Length * 2 / 3)]), ImageCodec.Jpeg));

        Assert.Contains("IncompleteInput", error.Message);
    }

    [Fact]
    public void Content_of_another_coding_than_recognised_is_refused()
    {
        var png = ImageFixtures.Png(ImageFixtures.Pattern(40, 30));

        var error = Assert.Throws<UnsupportedImageException>(() => new Thumbnailer(Options).Create(new MemoryStream(png), ImageCodec.Jpeg));

        Assert.Contains("Png", error.Message);
    }

    [Theory]
    [InlineData(ImageCodec.Png)]
    [InlineData(ImageCodec.Jpeg)]
    [InlineData(ImageCodec.Webp)]
    public void A_header_over_the_limits_is_refused_before_decoding(ImageCodec codec)
    {
        var picture = ImageFixtures.Pattern(300, 200);
        var content = codec switch
        {
            ImageCodec.Png => ImageFixtures.Png(picture),
            ImageCodec.Jpeg => ImageFixtures.Jpeg(picture, 80),
            _ => ImageFixtures.Webp(picture, 80),
        };

        Assert.Throws<ImageTooLargeException>(() => new Thumbnailer(new ImagingOptions { MaxPixels = 59_999 }).Create(new MemoryStream(content), codec));
        Assert.Throws<ImageTooLargeException>(() => new Thumbnailer(new ImagingOptions { MaxDimension = 299 }).Create(new MemoryStream(content), codec));
        Assert.Equal(300, new Thumbnailer(new ImagingOptions { MaxPixels = 60_000, MaxDimension = 300 }).Create(new MemoryStream(content), codec).SourceWidth);
    }

    [Fact]
    public void Cancellation_stops_a_decode()
    {
        var png = ImageFixtures.Png(ImageFixtures.Pattern(300, 300));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => new Thumbnailer(Options).Create(new MemoryStream(png), ImageCodec.Png, cancelled.Token));
    }
}
