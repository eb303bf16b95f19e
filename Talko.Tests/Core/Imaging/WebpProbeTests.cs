using System.Buffers.Binary;
using Talko.Core.Conversations.Media;

namespace Talko.Tests.Core.Imaging;

/// <summary>WebP photos (what Android clients send) are recognised by content and their header's size is read.</summary>
public sealed class WebpProbeTests
{
    [Theory]
    [InlineData(80)] // lossy: a VP8 chunk
    [InlineData(100)] // lossless: a VP8L chunk
    public async Task Lossy_and_lossless_webps_are_recognised_and_sized(int quality)
    {
        var webp = ImageFixtures.Webp(ImageFixtures.Pattern(301, 97), quality);

        Assert.Equal(MediaFormat.Webp, MediaSniffer.Detect(webp.AsSpan(0, MediaSniffer.HeaderLength)));
        var probe = await ImageProbe.ProbeAsync(new MemoryStream(webp), MediaFormat.Webp);

        Assert.Equal((301, 97), (probe.Width, probe.Height));
    }

    [Fact]
    public async Task An_extended_header_gives_the_canvas_size_and_a_broken_one_is_refused()
    {
        var extended = new byte[40];
        "RIFF"u8.CopyTo(extended);
        BinaryPrimitives.WriteUInt32LittleEndian(extended.AsSpan(4), 32);
        "WEBPVP8X"u8.CopyTo(extended.AsSpan(8));
        BinaryPrimitives.WriteUInt32LittleEndian(extended.AsSpan(16), 10);
        (extended[24], extended[25], extended[26]) = (4031 & 0xFF, 4031 >> 8, 0); // canvas width - 1
        (extended[27], extended[28], extended[29]) = (3023 & 0xFF, 3023 >> 8, 0); // canvas height - 1

        var probe = await ImageProbe.ProbeAsync(new MemoryStream(extended), MediaFormat.Webp);
        "JUNK"u8.CopyTo(extended.AsSpan(12));
        var broken = await ImageProbe.ProbeAsync(new MemoryStream(extended), MediaFormat.Webp);

        Assert.Equal((4032, 3024), (probe.Width, probe.Height));
        Assert.False(broken.IsValid);
        Assert.Equal(MediaFormat.Wav, MediaSniffer.Detect("RIFF\0\0\0\0WAVEfmt "u8));
    }
}
