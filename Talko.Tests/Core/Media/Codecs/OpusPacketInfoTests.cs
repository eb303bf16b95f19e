using Microsoft.Extensions.Logging.Abstractions;
using Talko.Core.Media.Codecs.Opus;
using Xunit.Abstractions;

namespace Talko.Tests.Core.Media.Codecs;

/// <summary>Reading Opus packets without decoding them (RFC 6716 section 3.1): the TOC, frame counts, and activity on real packets.</summary>
public sealed class OpusPacketInfoTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(0x08, OpusMode.Silk, OpusBandwidth.Narrowband, 20.0, 1)] // config 1
    [InlineData(0x4B, OpusMode.Silk, OpusBandwidth.Wideband, 20.0, 2)] // config 9, code 3 with 2 frames (next byte)
    [InlineData(0x78, OpusMode.Hybrid, OpusBandwidth.Fullband, 20.0, 1)] // config 15: what libopus sends at 32 kb/s voice
    [InlineData(0x61, OpusMode.Hybrid, OpusBandwidth.SuperWideband, 10.0, 2)] // config 12, code 1
    [InlineData(0xFA, OpusMode.Celt, OpusBandwidth.Fullband, 20.0, 2)] // config 31, code 2
    [InlineData(0x80, OpusMode.Celt, OpusBandwidth.Narrowband, 2.5, 1)] // config 16
    public void TocByteGivesModeBandwidthAndDuration(byte toc, OpusMode mode, OpusBandwidth bandwidth, double frameMs, int frames)
    {
        Assert.True(OpusPacketInfo.TryParse([toc, 0x02, 0xAA, 0xBB], out var info));
        Assert.Equal(mode, info.Mode);
        Assert.Equal(bandwidth, info.Bandwidth);
        Assert.Equal(frameMs, info.FrameMilliseconds);
        Assert.Equal(frames, info.FrameCount);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x03 })] // code 3 without its count byte
    [InlineData(new byte[] { 0x03, 0x00 })] // code 3 with zero frames
    [InlineData(new byte[] { 0x1B, 0x03 })] // 3 x 60 ms: over 120 ms
    public void InvalidPacketsAreRefused(byte[] packet) => Assert.False(OpusPacketInfo.TryParse(packet, out _));

    [Fact]
    public void TalkingPacketsOutweighPausesBeforeAnyDecode()
    {
        var codecs = new OpusCodecs(new OpusOptions(), NullLogger.Instance);
        using var encoder = codecs.CreateEncoder();
        var pcm = new short[OpusFormat.FrameSamples];
        var packet = new byte[OpusFormat.MaxPacketBytes];
        var random = new Random(4);
        double Rate(bool talking)
        {
            var total = 0.0;
            for (var n = 0; n < 50; n++)
            {
                for (var i = 0; i < pcm.Length; i++)
                {
                    var t = (double)((n * pcm.Length) + i) / OpusFormat.SampleRate;
                    pcm[i] = (short)(talking ? (4000 * Math.Sin(2 * Math.PI * 150 * t)) + (2500 * Math.Sin(2 * Math.PI * 450 * t)) + random.Next(-300, 300) : random.Next(-30, 30));
                }

                var length = encoder.Encode(pcm, packet);
                Assert.True(OpusPacketInfo.TryParse(packet.AsSpan(0, length), out var info));
                Assert.Equal(20, info.Milliseconds);
                total += info.BytesPerMillisecond;
            }

            return total / 50;
        }

        var pause = Rate(talking: false);
        var speech = Rate(talking: true);
        output.WriteLine($"pause {pause:F2} B/ms, speech {speech:F2} B/ms");
        // Coarse (measured 4.1 against 2.9 B/ms), which is why the doc comment ranks DTX and RFC 6464 levels above it.
        Assert.True(speech > pause * 1.25, $"speech {speech:F2} B/ms against a pause's {pause:F2}");
        Assert.True(OpusPacketInfo.TryParse([0x78], out var dtx) && dtx.IsSilence);
    }
}
