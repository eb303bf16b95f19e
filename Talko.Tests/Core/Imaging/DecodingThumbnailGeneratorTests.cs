using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Talko.Core.Conversations.Media;
using Talko.Core.Imaging;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Core.Imaging;

public sealed class DecodingThumbnailGeneratorTests
{
    private readonly FakeTimeProvider time = new();

    [Fact]
    public async Task Decodes_png_jpeg_and_webp_into_a_bounded_jpeg_thumbnail()
    {
        var picture = ImageFixtures.Pattern(500, 300);
        var inputs = new[]
        {
            (ImageFixtures.Png(picture), MediaFormat.Png),
            (ImageFixtures.Jpeg(picture, 90), MediaFormat.Jpeg),
            (ImageFixtures.Webp(picture, 80), MediaFormat.Webp),
            (ImageFixtures.Webp(picture, 100), MediaFormat.Webp),
        };
        foreach (var (content, format) in inputs)
        {
            var thumbnail = await Generate(new ImagingOptions { ThumbnailMaxSide = 100 }, new MemoryStream(content), format);

            Assert.Equal((MediaFormat.Jpeg, 500, 300), (thumbnail!.Format, thumbnail.DecodedWidth, thumbnail.DecodedHeight));
            var decoded = ImageFixtures.Decode(thumbnail.Content.ToArray());
            Assert.Equal((100, 60), (decoded.Width, decoded.Height));
        }
    }

    [Fact]
    public async Task An_undecodable_jpeg_falls_back_to_its_exif_thumbnail_and_heic_keeps_the_embedded_result()
    {
        var embedded = ImageFixtures.Jpeg(ImageFixtures.Pattern(16, 12), 80);
        var jpeg = TestMedia.JpegWithExifThumbnail(640, 480, embedded); // a frame header but no real scan data

        var fallback = await Generate(new ImagingOptions(), new MemoryStream(jpeg), MediaFormat.Jpeg);
        var heic = await Generate(new ImagingOptions(), new MemoryStream([0, 0, 0, 0]), MediaFormat.Heic);

        Assert.Equal(embedded, fallback!.Content.ToArray());
        Assert.Null(heic);
    }

    [Fact]
    public async Task A_decode_past_its_deadline_is_abandoned_for_the_fallback()
    {
        var png = ImageFixtures.Png(ImageFixtures.Pattern(400, 400));
        // Every read of the photo takes a simulated second; the deadline is five.
        var slow = new ClockAdvancingStream(new MemoryStream(png), time, TimeSpan.FromSeconds(1));

        var thumbnail = await Generate(new ImagingOptions { MaxDecodeTime = TimeSpan.FromSeconds(5) }, slow, MediaFormat.Png);

        Assert.Null(thumbnail);
        Assert.True(slow.Reads >= 5);

        // The same slow stream with a generous deadline decodes: the deadline, not the stream, stopped it.
        var patient = await Generate(new ImagingOptions { MaxDecodeTime = TimeSpan.FromDays(1) }, new ClockAdvancingStream(new MemoryStream(png), time, TimeSpan.FromSeconds(1)), MediaFormat.Png);
        Assert.NotNull(patient);
    }

    private async Task<GeneratedThumbnail?> Generate(ImagingOptions options, Stream content, MediaFormat format)
    {
        var generator = new DecodingThumbnailGenerator(Options.Create(options), time, NullLogger<DecodingThumbnailGenerator>.Instance);
        var probe = format == MediaFormat.Heic ? new ImageProbeResult(null, null, null, null) : await ImageProbe.ProbeAsync(content, format).WaitAsync(TestTimeouts.Default);
        return await generator.GenerateAsync(content, format, probe).WaitAsync(TestTimeouts.Default);
    }

    /// <summary>A seekable stream whose reads move a fake clock, and which serves at most 512 bytes per read.</summary>
    private sealed class ClockAdvancingStream(Stream inner, FakeTimeProvider time, TimeSpan perRead) : Stream
    {
        public int Reads { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => inner.Position = value; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Reads++;
            time.Advance(perRead);
            return inner.Read(buffer, offset, Math.Min(count, 512));
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(inner.Read(buffer, offset, count));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(inner.Read(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
