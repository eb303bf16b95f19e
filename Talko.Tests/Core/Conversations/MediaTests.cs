using Talko.Core.Conversations.Media;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Core.Conversations;

public sealed class MediaTests
{
    public static TheoryData<string, MediaFormat> Samples => new()
    {
        { "jpeg", MediaFormat.Jpeg },
        { "png", MediaFormat.Png },
        { "wav", MediaFormat.Wav },
        { "ogg", MediaFormat.OggOpus },
        { "m4a", MediaFormat.M4a },
        { "heic", MediaFormat.Heic },
        { "text", MediaFormat.Unknown },
        { "empty", MediaFormat.Unknown },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Formats_are_recognised_by_their_first_bytes(string sample, MediaFormat expected) =>
        Assert.Equal(expected, MediaSniffer.Detect(Sample(sample)));

    [Fact]
    public async Task Voice_clip_durations_come_from_the_container()
    {
        Assert.Equal(TimeSpan.FromSeconds(2.5), await Duration(TestMedia.Wav(TimeSpan.FromSeconds(2.5)), MediaFormat.Wav));
        Assert.Equal(TimeSpan.FromSeconds(7), await Duration(TestMedia.OggOpus(TimeSpan.FromSeconds(7), preSkip: 3840), MediaFormat.OggOpus));
        Assert.Equal(TimeSpan.FromMinutes(9), await Duration(TestMedia.M4a(TimeSpan.FromMinutes(9)), MediaFormat.M4a));
    }

    [Fact]
    public async Task Audio_that_only_looks_right_at_the_start_is_refused()
    {
        Assert.False((await Probe(TestMedia.M4a(TimeSpan.FromSeconds(3), handler: "vide"), MediaFormat.M4a)).IsValid);
        Assert.False((await Probe(TestMedia.Wav(TimeSpan.FromSeconds(1))[..30], MediaFormat.Wav)).IsValid);
        Assert.False((await Probe(TestMedia.M4a(TimeSpan.FromSeconds(3))[..40], MediaFormat.M4a)).IsValid);
    }

    public static TheoryData<string, byte[]> ImpossibleWavs => new()
    {
        { "sample rate 0", TestMedia.Wav(new TestMedia.WavShape(SampleRate: 0, ByteRate: 16_000), 16_000) },
        { "no channels", TestMedia.Wav(new TestMedia.WavShape(Channels: 0, ByteRate: 16_000, BlockAlign: 2), 16_000) },
        { "a sample rate of 10 MHz", TestMedia.Wav(new TestMedia.WavShape(SampleRate: 10_000_000), 16_000) },
        { "a byte rate that disagrees with the samples", TestMedia.Wav(new TestMedia.WavShape(ByteRate: 1), 16_000) },
        { "a block size that disagrees with the samples", TestMedia.Wav(new TestMedia.WavShape(BlockAlign: 7), 16_000) },
        { "7-bit samples", TestMedia.Wav(new TestMedia.WavShape(BitsPerSample: 7), 16_000) },
        { "an unknown coding", TestMedia.Wav(new TestMedia.WavShape(Format: 0x55), 16_000) },
        { "data shorter than declared", TestMedia.Wav(new TestMedia.WavShape(), 100, declaredDataBytes: 16_000) },
        { "no samples", TestMedia.Wav(new TestMedia.WavShape(), 0) },
        { "half a sample frame", TestMedia.Wav(new TestMedia.WavShape(Channels: 2), 3) },
    };

    [Theory]
    [MemberData(nameof(ImpossibleWavs))]
    public async Task A_wav_with_an_impossible_format_is_refused(string what, byte[] wav)
    {
        var result = await Probe(wav, MediaFormat.Wav);
        Assert.False(result.IsValid, $"{what}: accepted with duration {result.Duration}");
        Assert.Null(result.Duration);
    }

    [Fact]
    public async Task Plausible_wavs_are_accepted_including_a_streamed_one_with_no_size()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), await Duration(TestMedia.Wav(new TestMedia.WavShape(Channels: 2, SampleRate: 48_000, BitsPerSample: 24), 48_000 * 6), MediaFormat.Wav));
        Assert.Equal(TimeSpan.FromSeconds(0.5), await Duration(TestMedia.Wav(new TestMedia.WavShape(Format: 7, BitsPerSample: 8), 4_000), MediaFormat.Wav));
        Assert.Equal(TimeSpan.FromSeconds(0.25), await Duration(TestMedia.Wav(new TestMedia.WavShape(), 4_000, declaredDataBytes: uint.MaxValue), MediaFormat.Wav));
    }

    [Fact]
    public async Task Images_report_their_size_and_a_jpeg_its_embedded_thumbnail()
    {
        var thumbnail = TestMedia.Jpeg(8, 6);
        var jpeg = await ImageProbe.ProbeAsync(new MemoryStream(TestMedia.JpegWithExifThumbnail(4032, 3024, thumbnail)), MediaFormat.Jpeg);
        Assert.Equal((4032, 3024), (jpeg.Width!.Value, jpeg.Height!.Value));
        Assert.Equal(thumbnail, jpeg.EmbeddedThumbnail!.Value.ToArray());

        var png = await ImageProbe.ProbeAsync(new MemoryStream(TestMedia.Png(300, 200)), MediaFormat.Png);
        Assert.Equal((300, 200), (png.Width!.Value, png.Height!.Value));
        Assert.Null(png.EmbeddedThumbnail);
        Assert.False((await ImageProbe.ProbeAsync(new MemoryStream(TestMedia.Png(300, 200)[..16]), MediaFormat.Png)).IsValid);
    }

    [Theory]
    [InlineData("image/png", MediaFormat.Png, true)]
    [InlineData("image/jpeg", MediaFormat.Png, false)]
    [InlineData("audio/x-m4a", MediaFormat.M4a, true)]
    [InlineData("text/plain", MediaFormat.Jpeg, false)]
    public void A_label_must_agree_with_the_content(string label, MediaFormat content, bool agrees) =>
        Assert.Equal(agrees, MediaFormats.FormatsNamedBy(label)!.Contains(content));

    [Fact]
    public void No_label_or_a_generic_one_leaves_the_content_to_decide()
    {
        Assert.Null(MediaFormats.FormatsNamedBy(null));
        Assert.Null(MediaFormats.FormatsNamedBy("application/octet-stream"));
    }

    private static byte[] Sample(string name) => name switch
    {
        "jpeg" => TestMedia.Jpeg(10, 10),
        "png" => TestMedia.Png(10, 10),
        "wav" => TestMedia.Wav(TimeSpan.FromSeconds(0.1)),
        "ogg" => TestMedia.OggOpus(TimeSpan.FromSeconds(1)),
        "m4a" => TestMedia.M4a(TimeSpan.FromSeconds(1)),
        "heic" => [0, 0, 0, 24, .. "ftypheic"u8.ToArray(), 0, 0, 0, 0, .. "mif1heic"u8.ToArray()],
        "text" => "hello, world, this is not media"u8.ToArray(),
        _ => [],
    };

    private static async Task<AudioProbeResult> Probe(byte[] content, MediaFormat format) => await AudioProbe.ProbeAsync(new MemoryStream(content), format);

    private static async Task<TimeSpan> Duration(byte[] content, MediaFormat format)
    {
        var result = await Probe(content, format);
        Assert.True(result.IsValid, result.Error);
        return result.Duration!.Value;
    }
}
