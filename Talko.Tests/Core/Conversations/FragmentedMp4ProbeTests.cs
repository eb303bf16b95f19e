using System.Buffers.Binary;
using Talko.Core.Conversations.Media;

namespace Talko.Tests.Core.Conversations;

/// <summary>
/// Voice clips recorded by a browser: Chromium's MediaRecorder writes audio/mp4 with Opus as a fragmented MP4 (fixture
/// recorded from Debian's Chromium 156 with its fake microphone, 1.941 s).
/// </summary>
public sealed class FragmentedMp4ProbeTests
{
    private static readonly byte[] Recording = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Core", "Conversations", "Fixtures", "chromium-mediarecorder-opus.m4a"));

    [Fact]
    public async Task A_browser_recording_with_Opus_in_MP4_is_a_voice_clip_of_its_length()
    {
        Assert.Equal(MediaFormat.M4a, MediaSniffer.Detect(Recording));
        Assert.Equal(TimeSpan.FromMilliseconds(1941), await DurationAsync(Recording));
    }

    [Fact]
    public async Task Without_a_duration_in_the_movie_header_the_fragments_give_it()
    {
        var copy = (byte[])Recording.Clone();
        BinaryPrimitives.WriteUInt64BigEndian(copy.AsSpan(BodyOf(copy, "mvhd") + 24), 0); // version 1: duration after the timescale
        Assert.Equal(93168 / 48000.0, (await DurationAsync(copy)).TotalSeconds, precision: 6); // 33 Opus packets at 48 kHz
    }

    [Fact]
    public async Task A_run_claiming_more_samples_than_its_box_holds_is_refused()
    {
        var copy = (byte[])Recording.Clone();
        BinaryPrimitives.WriteUInt64BigEndian(copy.AsSpan(BodyOf(copy, "mvhd") + 24), 0);
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(BodyOf(copy, "trun") + 4), 0x00FFFFFF);
        using var stream = new MemoryStream(copy);
        Assert.False((await AudioProbe.ProbeAsync(stream, MediaFormat.M4a)).IsValid);
    }

    private static async Task<TimeSpan> DurationAsync(byte[] clip)
    {
        using var stream = new MemoryStream(clip);
        var result = await AudioProbe.ProbeAsync(stream, MediaFormat.M4a);
        Assert.True(result.IsValid, result.Error);
        return result.Duration!.Value;
    }

    private static int BodyOf(byte[] file, string type) => file.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(type)) + 4;
}
