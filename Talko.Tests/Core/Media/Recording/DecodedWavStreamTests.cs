using Microsoft.Extensions.Logging.Abstractions;
using Talko.Core.Media.Codecs.Opus;
using Talko.Core.Media.Recording;

namespace Talko.Tests.Core.Media.Recording;

/// <summary>
/// The WAV form of an Ogg Opus recording, decoded as it is read (ADR 0813): byte for byte what the former
/// decode-everything-into-a-file gave (header from the total, segments decoded in order, legacy PCM copied), any range
/// the same bytes as the whole, and bounded: the first bytes come after decoding only what they need, and reading
/// minutes of audio allocates no more than reading seconds.
/// </summary>
public sealed class DecodedWavStreamTests : IDisposable
{
    private const int MixRate = 8000;
    private const int MixFrame = 160;
    private const int WavRate = 8000;
    private readonly string directory = Path.Combine(Path.GetTempPath(), "talko-wavstream-" + Guid.NewGuid().ToString("N"));
    private readonly OpusCodecs codecs = new(new OpusOptions(), NullLogger.Instance);

    public DecodedWavStreamTests() => Directory.CreateDirectory(directory);

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task Streams_the_same_bytes_the_whole_file_decode_gave_and_any_range_of_them()
    {
        // Three Ogg Opus segments (about 100 s) and a legacy PCM segment between them, as a call recorded across an upgrade.
        var opus = new[] { await SegmentAsync("a", 500, 2000), await SegmentAsync("b", 900, 1500), await SegmentAsync("c", 1300, 1500) };
        var legacy = new byte[WavFormat.HeaderLength + 16000];
        Random.Shared.NextBytes(legacy.AsSpan(WavFormat.HeaderLength));

        var expected = await OldWavAsync(opus[0], opus[1], legacy, opus[2]);
        await using var stream = Open(opus[0], opus[1], legacy, opus[2]);
        Assert.Equal(expected.Length, stream.Length);
        var whole = new byte[stream.Length];
        stream.ReadExactly(whole);
        Assert.Equal(expected, whole);

        var random = new Random(813);
        for (var i = 0; i < 60; i++)
        {
            var start = random.NextInt64(whole.Length);
            var length = (int)Math.Min(random.Next(1, 20000), whole.Length - start);
            stream.Seek(start, SeekOrigin.Begin);
            var part = new byte[length];
            stream.ReadExactly(part);
            Assert.True(whole.AsSpan((int)start, length).SequenceEqual(part), $"range {start}+{length} differs");
        }
    }

    [Fact]
    public async Task The_first_bytes_come_before_the_rest_is_decoded_and_memory_does_not_grow_with_length()
    {
        var paths = new List<string>();
        for (var s = 0; s < 3; s++)
        {
            paths.Add(await SegmentAsync($"long{s}", 400 + (s * 300), 3000)); // 60 s each
        }

        await using (var stream = Open([.. paths]))
        {
            var first = new byte[64 * 1024];
            stream.ReadExactly(first);
            var total = (stream.Length - WavFormat.HeaderLength) / 2;
            Assert.True(stream.DecodedSamples < (first.Length / 2) + 4096 + 960, $"decoded {stream.DecodedSamples} of {total} samples for the first 64 KB");
        }

        var seconds = await AllocatedWhileReadingAsync(paths[0]);
        var minutes = await AllocatedWhileReadingAsync([.. paths]);
        Assert.True(minutes.Length > 2_800_000, $"only {minutes.Length} bytes");

        // Per segment a page buffer and a decoder; nothing that grows with the audio (3 minutes read through a 64 KB buffer).
        Assert.True(minutes.Allocated < 3 * 256 * 1024, $"{minutes.Allocated} bytes allocated reading {minutes.Length} bytes (one segment: {seconds.Allocated})");
    }

    private async Task<(long Length, long Allocated)> AllocatedWhileReadingAsync(params string[] paths)
    {
        await using var stream = Open(paths);
        var buffer = new byte[64 * 1024];
        stream.ReadExactly(buffer.AsSpan(0, 1)); // opens the first decoder outside the measurement
        var before = GC.GetAllocatedBytesForCurrentThread();
        long read = 1;
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            read += n;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(stream.Length, read);
        return (read, allocated);
    }

    /// <summary>Opens the parts: a path is an Ogg Opus segment, a byte array a legacy WAV segment.</summary>
    private DecodedWavStream Open(params object[] parts) =>
        new([.. parts.Select(p => p switch
        {
            string path => (DecodedWavStream.Part)OpusPart(path),
            byte[] wav => new DecodedWavStream.Part.Pcm(new MemoryStream(wav), WavFormat.HeaderLength, wav.Length - WavFormat.HeaderLength),
            _ => throw new ArgumentException("a path or WAV bytes", nameof(parts)),
        })], codecs, WavRate);

    private static DecodedWavStream.Part.Opus OpusPart(string path)
    {
        var source = File.OpenRead(path);
        return new DecodedWavStream.Part.Opus(source, OggOpusSegment.Measure(source));
    }

    /// <summary>What the WAV form was before ADR 0813: every segment decoded in full, in order, behind one header.</summary>
    private async Task<byte[]> OldWavAsync(params object[] parts)
    {
        using var data = new MemoryStream();
        foreach (var part in parts)
        {
            if (part is byte[] wav)
            {
                data.Write(wav, WavFormat.HeaderLength, wav.Length - WavFormat.HeaderLength);
                continue;
            }

            await using var source = File.OpenRead((string)part);
            var info = OggOpusSegment.Measure(source);
            await OggOpusSegment.DecodeAsync(source, info, codecs, WavRate, samples =>
            {
                data.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(samples.Span));
                return Task.CompletedTask;
            });
        }

        var bytes = new byte[WavFormat.HeaderLength + data.Length];
        WavFormat.WriteHeader(bytes, WavRate, 1, data.Length);
        data.ToArray().CopyTo(bytes, WavFormat.HeaderLength);
        return bytes;
    }

    private async Task<string> SegmentAsync(string name, double frequency, int frames)
    {
        await using var recorder = new OggOpusRecorder(
            Path.Combine(directory, name + ".opus"), MixRate, MixFrame, codecs, new RecordingOptions { QueueFrames = frames + 10 }, NullLogger.Instance);
        var frame = new short[MixFrame];
        for (var n = 0; n < frames; n++)
        {
            AudioSignals.Tone(frame, frequency, 8000, (long)n * MixFrame, MixRate);
            if (n % 97 < 20)
            {
                frame.AsSpan().Clear(); // some silence, as talk has
            }

            recorder.WriteMix(frame);
        }

        return recorder.Path;
    }
}
