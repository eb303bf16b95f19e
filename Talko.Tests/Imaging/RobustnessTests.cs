using Talko.Core.Imaging;
using Talko.Core.Imaging.Jpeg;

namespace Talko.Tests.Imaging;

/// <summary>Damaged input: every outcome is a thumbnail or <see cref="ImageDecodingException"/>, within a time bound.</summary>
public sealed class RobustnessTests
{
    private static readonly ImagingOptions Options = new() { ThumbnailMaxSide = 32 };

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Imaging", "Fixtures")).Where(p => !p.EndsWith(".ppm", StringComparison.Ordinal)).Order())
        {
            data.Add(Path.GetFileName(path));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Truncated_and_corrupted_files_fail_only_with_the_typed_exception(string name)
    {
        var original = ImageFixtures.Read(name);
        var codec = name.EndsWith(".png", StringComparison.Ordinal) ? ImageCodec.Png : ImageCodec.Jpeg;
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
        foreach (var codec in new[] { ImageCodec.Png, ImageCodec.Jpeg })
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

    [Fact]
    public void A_jpeg_whose_data_stops_early_fails_instead_of_inventing_rows()
    {
        var jpeg = JpegEncoder.Encode(ImageFixtures.Pattern(200, 200), 80);
        // Keep the headers and a little data, then end the image where the data should continue.
        var cut = jpeg[..(jpeg.Length / 2)].Concat(new byte[] { 0xFF, 0xD9 }).ToArray();

        var error = Assert.ThrowsAny<ImageDecodingException>(() => new JpegDecoder(Options).Decode(new MemoryStream(cut), new BoxDownscaler(32)));

        Assert.Contains("ends", error.Message);
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
