using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Talko.Core.Media.Codecs.Opus;
using Talko.Core.Media.Recording;
using Talko.Server.Features.Calls;
using Talko.Tests.Core.Media;

namespace Talko.Tests.Server.Features.Calls;

/// <summary>
/// The page index cache of recordings (ADR 0813), counted by the page headers it reads: a second range request of a
/// recording reads none; a live segment that grew is read only past what was indexed; a segment that closed (now a blob)
/// is indexed afresh; entries and bytes stay within their limits, least recently used out first.
/// </summary>
public sealed class RecordingIndexCacheTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "talko-index-" + Guid.NewGuid().ToString("N"));
    private readonly OpusCodecs codecs = new(new OpusOptions(), NullLogger.Instance);

    public RecordingIndexCacheTests() => Directory.CreateDirectory(directory);

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task A_second_range_request_reads_no_page_headers_and_serves_the_same_bytes()
    {
        var cache = Cache(entries: 100, bytes: 1 << 20);
        var call = Guid.NewGuid();
        var paths = new[] { await SegmentAsync("a", 300), await SegmentAsync("b", 200) };

        var first = RangeOf(cache, call, paths, 1000, 3000);
        var afterFirst = cache.PagesRead;
        Assert.True(afterFirst > 20, $"indexed only {afterFirst} pages");
        var second = RangeOf(cache, call, paths, 1000, 3000);
        Assert.Equal(afterFirst, cache.PagesRead);
        Assert.Equal(first, second);

        // The same as indexing afresh.
        await using var fresh = new OggOpusConcatStream([.. paths.Select(File.OpenRead)], serial: 1, complete: true);
        fresh.Position = 1000;
        var expected = new byte[3000];
        fresh.ReadExactly(expected);
        Assert.Equal(expected, second);
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public async Task A_live_segment_that_grew_is_read_only_past_what_was_indexed_and_a_closed_one_afresh()
    {
        var cache = Cache(entries: 100, bytes: 1 << 20);
        var call = Guid.NewGuid();
        var complete = await File.ReadAllBytesAsync(await SegmentAsync("whole", 500));
        var all = OggOpusSegment.Measure(new MemoryStream(complete));
        var live = Path.Combine(directory, "live.opus");

        // Written as far as its tenth audio page and half of the next.
        var tenth = all.Audio[9];
        await File.WriteAllBytesAsync(live, complete[..(int)(tenth.Offset + tenth.Length + 30)]);
        var early = Get(cache, call, live, "file:" + live, isLive: true);
        Assert.Equal(10, early.Audio.Count);
        var read = cache.PagesRead;

        // Asked again unchanged: nothing read. Grown to the end: only the new pages.
        Get(cache, call, live, "file:" + live, isLive: true);
        Assert.Equal(read, cache.PagesRead);
        await File.WriteAllBytesAsync(live, complete);
        var grown = Get(cache, call, live, "file:" + live, isLive: true);
        Assert.Equal(all.Audio, grown.Audio);
        Assert.Equal(all.WholeLength, grown.WholeLength);
        Assert.Equal(read + all.Audio.Count - 10, cache.PagesRead);

        // Closed: the blob is another source, indexed from its start, once.
        read = cache.PagesRead;
        var stored = Get(cache, call, live, "blob:b1", isLive: false);
        Assert.Equal(all.Audio, stored.Audio);
        Assert.Equal(read + all.Audio.Count + 2, cache.PagesRead);
        Get(cache, call, live, "blob:b1", isLive: false);
        Assert.Equal(read + all.Audio.Count + 2, cache.PagesRead);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public async Task Entries_and_bytes_stay_within_their_limits_least_recently_used_out_first()
    {
        var path = await SegmentAsync("small", 100);
        var pages = OggOpusSegment.Measure(File.OpenRead(path)).Audio.Count;
        var perEntry = 256 + (pages * 24);
        var cache = Cache(entries: 3, bytes: (4 * perEntry) + 10);
        var calls = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToArray();
        foreach (var call in calls[..3])
        {
            Get(cache, call, path, "blob:x", isLive: false);
        }

        Get(cache, calls[0], path, "blob:x", isLive: false); // used again: the oldest is now calls[1]
        var read = cache.PagesRead;
        Get(cache, calls[3], path, "blob:x", isLive: false);
        Assert.Equal(3, cache.Count);
        Assert.Equal(3 * perEntry, cache.Bytes);
        Get(cache, calls[0], path, "blob:x", isLive: false);
        Get(cache, calls[2], path, "blob:x", isLive: false);
        Assert.Equal(read + pages + 2, cache.PagesRead); // only calls[3] was read
        Get(cache, calls[1], path, "blob:x", isLive: false);
        Assert.Equal(read + (2 * (pages + 2)), cache.PagesRead); // calls[1] had gone

        // The byte limit binds before the entry limit.
        var tight = Cache(entries: 100, bytes: (2 * perEntry) + 10);
        foreach (var call in calls)
        {
            Get(tight, call, path, "blob:x", isLive: false);
        }

        Assert.Equal(2, tight.Count);
        Assert.True(tight.Bytes <= (2 * perEntry) + 10);
    }

    [Fact]
    public async Task Concurrent_requests_agree_with_one_index()
    {
        var cache = Cache(entries: 4, bytes: 1 << 20);
        var path = await SegmentAsync("shared", 300);
        var expected = OggOpusSegment.Measure(File.OpenRead(path));
        var calls = Enumerable.Range(0, 8).Select(_ => Guid.NewGuid()).ToArray();
        await Parallel.ForAsync(0, 400, (i, _) =>
        {
            var info = Get(cache, calls[i % calls.Length], path, "blob:s", isLive: false);
            Assert.Equal(expected.Audio, info.Audio);
            return ValueTask.CompletedTask;
        });
        Assert.True(cache.Count <= 4);
    }

    private static RecordingIndexCache Cache(int entries, long bytes) =>
        new(Options.Create(new CallsOptions { RecordingIndexCacheEntries = entries, RecordingIndexCacheBytes = bytes }));

    private static OggOpusSegmentInfo Get(RecordingIndexCache cache, Guid call, string path, string sourceId, bool isLive)
    {
        using var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return cache.Get(call, 0, sourceId, isLive, source);
    }

    /// <summary>What one range request does: open the segments, index them through the cache, read the range.</summary>
    private static byte[] RangeOf(RecordingIndexCache cache, Guid call, string[] paths, long from, int count)
    {
        var sources = paths.Select(p => (Stream)File.OpenRead(p)).ToList();
        var indexes = sources.Select((source, i) => cache.Get(call, i, "blob:" + paths[i], false, source)).ToList();
        using var joined = new OggOpusConcatStream(sources, indexes, serial: 1, complete: true);
        joined.Position = from;
        var bytes = new byte[count];
        joined.ReadExactly(bytes);
        return bytes;
    }

    private async Task<string> SegmentAsync(string name, int frames)
    {
        await using var recorder = new OggOpusRecorder(
            Path.Combine(directory, name + ".opus"), 8000, 160, codecs, new RecordingOptions { QueueFrames = frames + 10 }, NullLogger.Instance);
        var frame = new short[160];
        for (var n = 0; n < frames; n++)
        {
            AudioSignals.Tone(frame, 700, 8000, (long)n * 160, 8000);
            recorder.WriteMix(frame);
        }

        return recorder.Path;
    }
}
