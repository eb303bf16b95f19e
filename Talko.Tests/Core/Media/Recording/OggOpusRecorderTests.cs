using System.Buffers.Binary;
using Microsoft.Extensions.Logging.Abstractions;
using Talko.Core.Media.Codecs.Opus;
using Talko.Core.Media.Recording;
using Talko.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Talko.Tests.Core.Media.Recording;

/// <summary>
/// Ogg Opus segments and their join, checked by opus-tools (opusinfo accepts them, opusdec decodes the expected number of
/// samples) and on the decoded audio; the page structure (checksums, serial, sequence, granules) checked directly too.
/// </summary>
public sealed class OggOpusRecorderTests : IDisposable
{
    private const int MixRate = 8000;
    private const int MixFrame = 160;
    private readonly string directory = Path.Combine(Path.GetTempPath(), "talko-ogg-" + Guid.NewGuid().ToString("N"));
    private readonly OpusCodecs codecs = new(new OpusOptions(), NullLogger.Instance);

    private readonly ITestOutputHelper output;

    public OggOpusRecorderTests(ITestOutputHelper output)
    {
        this.output = output;
        Directory.CreateDirectory(directory);
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    // The queue holds every frame a test pushes at once (the mixer's real pace is one per 20 ms).
    private OggOpusRecorder Recorder(string name, OpusCodecs? with = null) =>
        new(Path.Combine(directory, name), MixRate, MixFrame, with ?? codecs, new RecordingOptions { QueueFrames = 2000 }, NullLogger.Instance);

    private static void Feed(OggOpusRecorder recorder, double frequency, int frames, long start = 0)
    {
        var frame = new short[MixFrame];
        for (var n = 0; n < frames; n++)
        {
            AudioSignals.Tone(frame, frequency, 8000, start + ((long)n * MixFrame), MixRate);
            recorder.WriteMix(frame);
        }
    }

    private static double ToneDb(WavAudio audio, double frequency, double fromSeconds, double toSeconds)
    {
        var samples = audio.Samples.AsSpan((int)(fromSeconds * audio.SampleRate), (int)((toSeconds - fromSeconds) * audio.SampleRate));
        return 20 * Math.Log10(Math.Max(AudioSignals.Amplitude(samples, frequency, audio.SampleRate), 1e-3) / 8000);
    }

    [Theory]
    [InlineData(OpusImplementation.Native)]
    [InlineData(OpusImplementation.Managed)]
    public async Task OneSegmentPlaysInOpusToolsForExactlyItsDurationWithTheTone(OpusImplementation implementation)
    {
        var recorder = Recorder("one.opus", new OpusCodecs(new OpusOptions { Implementation = implementation }, NullLogger.Instance));
        Feed(recorder, 1000, 150); // 3 s
        await recorder.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));

        var info = await OpusTools.InfoAsync(recorder.Path);
        output.WriteLine(info);
        var audio = await OpusTools.DecodeAsync(recorder.Path);
        Assert.Equal(48000, audio.SampleRate);
        Assert.Equal(3 * 48000, audio.Samples.Length); // pre-skip and end trimming honoured, sample-exact

        // The tone is at its level from the first 20 ms to the last: the pre-skip lines the audio up with the mix.
        Assert.InRange(ToneDb(audio, 1000, 0.005, 0.025), -3, 1);
        Assert.InRange(ToneDb(audio, 1000, 1, 2.98), -2, 1);

        var pages = ReadPages(await File.ReadAllBytesAsync(recorder.Path));
        Assert.Equal(recorder.PreSkip + (3 * 48000), pages[^1].Granule);
        Assert.Equal(recorder.PreSkip, BinaryPrimitives.ReadUInt16LittleEndian(pages[0].Data.AsSpan(10)));
    }

    [Fact]
    public async Task PagesAreWellFormedFromBeginningToEnd()
    {
        var recorder = Recorder("pages.opus");
        Feed(recorder, 440, 200);
        await recorder.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        AssertWellFormed(ReadPages(await File.ReadAllBytesAsync(recorder.Path)), complete: true);
    }

    [Fact]
    public async Task SegmentsJoinAsOneStreamSampleExactWithEachTonesInItsPlace()
    {
        var first = Recorder("a.opus");
        Feed(first, 1000, 100); // 2 s
        await first.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(0, first.DroppedFrames);
        var second = Recorder("b.opus");
        Feed(second, 2000, 75); // 1.5 s
        await second.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));

        await using var joined = new OggOpusConcatStream([File.OpenRead(first.Path), File.OpenRead(second.Path)], serial: 0x5A11C0DE, complete: true);
        Assert.Equal(TimeSpan.FromSeconds(3.5), joined.Duration);
        var path = Path.Combine(directory, "joined.opus");
        var bytes = new byte[joined.Length];
        joined.ReadExactly(bytes);
        await File.WriteAllBytesAsync(path, bytes);

        var pages = ReadPages(bytes);
        AssertWellFormed(pages, complete: true);
        Assert.All(pages, p => Assert.Equal(0x5A11C0DEu, p.Serial));
        output.WriteLine(await OpusTools.InfoAsync(path));

        var audio = await OpusTools.DecodeAsync(path);
        Assert.Equal((int)(3.5 * 48000), audio.Samples.Length);

        // 1 kHz up to 2.0 s, 2 kHz after: the join sits where the first segment ended (within a few ms of codec smear).
        Assert.InRange(ToneDb(audio, 1000, 1.5, 1.99), -2, 1);
        Assert.True(ToneDb(audio, 2000, 1.5, 1.99) < -30);
        Assert.InRange(ToneDb(audio, 2000, 2.01, 3.4), -2, 1);
        Assert.True(ToneDb(audio, 1000, 2.02, 3.4) < -30);
    }

    [Fact]
    public async Task ByteRangesReadTheSameBytesAsTheWholeStream()
    {
        var paths = new List<string>();
        for (var s = 0; s < 3; s++)
        {
            var recorder = Recorder($"r{s}.opus");
            Feed(recorder, 500 + (s * 300), 60 + (s * 17));
            await recorder.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
            paths.Add(recorder.Path);
        }

        Stream Open() => new OggOpusConcatStream([.. paths.Select(File.OpenRead)], serial: 7, complete: true);
        byte[] whole;
        await using (var stream = Open())
        {
            whole = new byte[stream.Length];
            stream.ReadExactly(whole);
        }

        var random = new Random(16);
        await using var ranged = Open();
        for (var i = 0; i < 200; i++)
        {
            var start = random.NextInt64(whole.Length);
            var length = (int)Math.Min(random.Next(1, 9000), whole.Length - start);
            ranged.Seek(start, SeekOrigin.Begin);
            var part = new byte[length];
            ranged.ReadExactly(part);
            Assert.Equal(whole.AsSpan((int)start, length).ToArray(), part);
        }

        ranged.Seek(0, SeekOrigin.End);
        Assert.Equal(0, ranged.Read(new byte[10]));
    }

    [Fact]
    public async Task ALiveSegmentIsServedAsFarAsItsLastWholePageWithoutEndOfStream()
    {
        var done = Recorder("done.opus");
        Feed(done, 1000, 50);
        await done.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        var live = Recorder("live.opus");
        Feed(live, 2000, 100);

        // The writer flushes each page as it fills: wait for the ones two seconds of audio make.
        await TestTimeouts.EventuallyAsync(async () => ReadPages(await ReadSharedAsync(live.Path)).Count, pages => pages >= 5,
            TimeSpan.FromSeconds(20), "five pages flushed");

        // A torn page at the end (half written) must be left out, not served.
        var torn = Path.Combine(directory, "torn.opus");
        var liveBytes = await ReadSharedAsync(live.Path);
        await File.WriteAllBytesAsync(torn, liveBytes.Concat(liveBytes.Skip(liveBytes.Length - 100).Take(60)).ToArray());

        await using var joined = new OggOpusConcatStream([File.OpenRead(done.Path), File.OpenRead(torn)], serial: 9, complete: false);
        var bytes = new byte[joined.Length];
        joined.ReadExactly(bytes);
        var pages = ReadPages(bytes);
        AssertWellFormed(pages, complete: false);
        var path = Path.Combine(directory, "live-joined.opus");
        await File.WriteAllBytesAsync(path, bytes);
        var audio = await OpusTools.DecodeAsync(path);
        Assert.Equal(joined.Duration.TotalSeconds * 48000, audio.Samples.Length);
        Assert.True(joined.Duration > TimeSpan.FromSeconds(1.4), $"only {joined.Duration} served");
        Assert.InRange(ToneDb(audio, 2000, 1.05, 1.4), -2, 1);
        await live.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task AnHourOfVoiceIsAboutOneSixthOfTheWav()
    {
        var recorder = Recorder("size.opus");
        var frame = new short[MixFrame];
        var random = new Random(5);
        for (var n = 0; n < 1500; n++) // 30 s of a voice-like signal
        {
            for (var i = 0; i < MixFrame; i++)
            {
                var t = (double)((n * MixFrame) + i) / MixRate;
                frame[i] = (short)(((0.6 + (0.4 * Math.Sin(2 * Math.PI * 3 * t))) * ((4000 * Math.Sin(2 * Math.PI * 150 * t)) + (2500 * Math.Sin(2 * Math.PI * 450 * t)))) + random.Next(-300, 300));
            }

            recorder.WriteMix(frame);
        }

        await recorder.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, recorder.DroppedFrames);
        var bitsPerSecond = new FileInfo(recorder.Path).Length * 8 / 30.0;
        output.WriteLine($"Ogg Opus: {bitsPerSecond / 1000:F1} kb/s = {bitsPerSecond * 3600 / 8 / 1e6:F1} MB an hour (8 kHz 16-bit WAV: 57.6 MB)");
        Assert.InRange(bitsPerSecond, 14000, 26000); // RecordingBitrate 20 kb/s plus Ogg framing
    }

    [Fact]
    public async Task JoinedPagesTakeOneSerialOneSequenceAndGranulesThatRunOnFromEachSegmentsStart()
    {
        var sources = new List<byte[]>();
        for (var s = 0; s < 3; s++)
        {
            var recorder = Recorder($"g{s}.opus");
            Feed(recorder, 600 + (s * 200), 40 + (s * 23)); // 0.8 s, 1.26 s, 1.72 s: segments end inside pages
            await recorder.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
            sources.Add(await File.ReadAllBytesAsync(recorder.Path));
        }

        await using var joined = new OggOpusConcatStream([.. sources.Select(b => new MemoryStream(b))], serial: 0xCAFE, complete: true);
        var bytes = new byte[joined.Length];
        joined.ReadExactly(bytes);
        var pages = ReadPages(bytes);
        AssertWellFormed(pages, complete: true);
        Assert.All(pages, p => Assert.Equal(0xCAFEu, p.Serial));

        // Expected granules, worked out from the sources alone: the first segment's pages as they are; each later one
        // without its lead-in page, shifted by the audio before it (what its own pre-skip no longer covers).
        var expected = new List<long>();
        var preSkip = BinaryPrimitives.ReadUInt16LittleEndian(ReadPages(sources[0])[0].Data.AsSpan(10));
        long before = 0;
        foreach (var source in sources)
        {
            var sourcePages = ReadPages(source);
            var ownSkip = BinaryPrimitives.ReadUInt16LittleEndian(sourcePages[0].Data.AsSpan(10));
            var audio = sourcePages.Skip(2).ToList();
            expected.AddRange((expected.Count == 0 ? audio : audio.Skip(1)).Select(p => preSkip + before + (p.Granule - ownSkip)));
            before += audio[^1].Granule - ownSkip;
        }

        Assert.Equal(expected, pages.Skip(2).Select(p => p.Granule));
        Assert.Equal(preSkip + (long)(3.78 * 48000), pages[^1].Granule);
        Assert.Equal(TimeSpan.FromSeconds(3.78), joined.Duration);
    }

    [Fact]
    public async Task ASegmentWithOnlyItsLeadInAddsNothing()
    {
        var empty = Recorder("empty.opus");
        await empty.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        var full = Recorder("full.opus");
        Feed(full, 1000, 30);
        await full.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(0, OggOpusSegment.Measure(File.OpenRead(empty.Path)).Samples);

        static byte[] All(Stream stream)
        {
            using (stream)
            {
                var bytes = new byte[stream.Length];
                stream.ReadExactly(bytes);
                return bytes;
            }
        }

        var alone = All(new OggOpusConcatStream([File.OpenRead(full.Path)], 5, complete: true));
        Assert.Equal(alone, All(new OggOpusConcatStream([File.OpenRead(empty.Path), File.OpenRead(full.Path), File.OpenRead(empty.Path)], 5, complete: true)));

        // No segments at all: the two header pages, a valid (empty) stream.
        var none = All(new OggOpusConcatStream([], 5, complete: true));
        Assert.Equal(2, ReadPages(none).Count);
    }

    [Fact]
    public async Task ASegmentCutOffMidPageIsMeasuredAndDecodedToItsLastWholePage()
    {
        var recorder = Recorder("cut.opus");
        Feed(recorder, 1000, 120); // 2.4 s
        await recorder.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        var bytes = await File.ReadAllBytesAsync(recorder.Path);
        var pages = ReadPages(bytes);

        // Its owner died halfway through writing the second-to-last page: that page and everything after are gone.
        var starts = new List<int>();
        for (var at = 0; at < bytes.Length; at += 27 + bytes[at + 26] + bytes.AsSpan(at + 27, bytes[at + 26]).ToArray().Sum(b => b))
        {
            starts.Add(at);
        }

        Assert.Equal(pages.Count, starts.Count);
        var tornStart = starts[^2];
        var cut = bytes[..(tornStart + 40)];
        var info = OggOpusSegment.Measure(new MemoryStream(cut));
        Assert.Equal(tornStart, info.WholeLength);
        Assert.Equal(pages[^3].Granule - recorder.PreSkip, info.Samples);
        Assert.True(info.Duration > TimeSpan.FromSeconds(1), $"only {info.Duration}");

        // Decoded to 8 kHz for the WAV form: exactly the whole pages' samples, the tone throughout.
        var pcm = new List<short>();
        await OggOpusSegment.DecodeAsync(new MemoryStream(cut), info, codecs, 8000, samples =>
        {
            pcm.AddRange(samples.ToArray());
            return Task.CompletedTask;
        });
        Assert.Equal(info.Samples / 6, pcm.Count);
        var decoded = new WavAudio(8000, [.. pcm]);
        Assert.InRange(ToneDb(decoded, 1000, 0.05, (pcm.Count / 8000.0) - 0.05), -3, 1);

        // opus-tools agrees on the length of what is whole.
        var whole = Path.Combine(directory, "cut-whole.opus");
        await File.WriteAllBytesAsync(whole, cut[..(int)info.WholeLength]);
        Assert.Equal(info.Samples, (await OpusTools.DecodeAsync(whole)).Samples.Length);
    }

    private static async Task<byte[]> ReadSharedAsync(string path)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var bytes = new byte[file.Length];
        await file.ReadExactlyAsync(bytes);
        return bytes;
    }

    private sealed record Page(byte Flags, long Granule, uint Serial, uint Sequence, uint Crc, uint ComputedCrc, byte[] Data);

    /// <summary>An independent Ogg page reader (RFC 3533) that stops at a torn page.</summary>
    private static List<Page> ReadPages(byte[] bytes)
    {
        var pages = new List<Page>();
        var at = 0;
        while (at + 27 <= bytes.Length && bytes.AsSpan(at, 4).SequenceEqual("OggS"u8))
        {
            int segments = bytes[at + 26];
            if (at + 27 + segments > bytes.Length)
            {
                break;
            }

            var dataLength = bytes.AsSpan(at + 27, segments).ToArray().Sum(b => b);
            var length = 27 + segments + dataLength;
            if (at + length > bytes.Length)
            {
                break;
            }

            var page = bytes.AsSpan(at, length).ToArray();
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(22));
            page.AsSpan(22, 4).Clear();
            pages.Add(new Page(page[5], BinaryPrimitives.ReadInt64LittleEndian(page.AsSpan(6)), BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(14)),
                BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(18)), crc, ReferenceCrc(page), page[(27 + segments)..]));
            at += length;
        }

        return pages;
    }

    private static void AssertWellFormed(List<Page> pages, bool complete)
    {
        Assert.True(pages.Count >= 3);
        Assert.Equal("OpusHead"u8.ToArray(), pages[0].Data[..8]);
        Assert.Equal(1, pages[0].Data[9]); // mono
        Assert.Equal("OpusTags"u8.ToArray(), pages[1].Data[..8]);
        Assert.Equal(0x02, pages[0].Flags);
        for (var i = 0; i < pages.Count; i++)
        {
            Assert.Equal(pages[i].ComputedCrc, pages[i].Crc);
            Assert.Equal((uint)i, pages[i].Sequence);
            Assert.Equal(pages[0].Serial, pages[i].Serial);
            if (i > 0)
            {
                Assert.True(pages[i].Granule >= pages[i - 1].Granule, $"granule went back at page {i}");
                Assert.Equal(i == pages.Count - 1 && complete ? 0x04 : 0, pages[i].Flags);
            }
        }

        Assert.Equal(0, pages[1].Granule);
    }

    /// <summary>CRC-32 as RFC 3533 defines it, bit by bit (independent of the table-driven one under test).</summary>
    private static uint ReferenceCrc(byte[] data)
    {
        uint crc = 0;
        foreach (var b in data)
        {
            crc ^= (uint)b << 24;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x80000000) != 0 ? (crc << 1) ^ 0x04C11DB7 : crc << 1;
            }
        }

        return crc;
    }
}
