using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Talko.Core.Diagnostics;
using Talko.Core.Media.Recording;

namespace Talko.Server.Features.Calls;

/// <summary>
/// The page indexes of calls' Ogg Opus recording segments, kept between requests (ADR 0813): a player's range requests
/// would otherwise each re-read every page header of the whole call. One slot per (call, segment index), bounded by
/// <see cref="CallsOptions.RecordingIndexCacheEntries"/> and <see cref="CallsOptions.RecordingIndexCacheBytes"/>, least
/// recently used out first. A slot is valid for the exact source it was measured from: a stored blob never changes; a
/// live file only grows, so its index is extended by the pages written since; a segment that closed (its blob now) or
/// was replaced is measured afresh. Thread-safe; two requests missing at once may both measure, which is harmless.
/// </summary>
public sealed class RecordingIndexCache(IOptions<CallsOptions> options)
{
    // An AudioPage is 24 bytes in the list; the rest is the record, the slot and the dictionary entry.
    private const long BytesPerPage = 24;
    private const long BytesPerEntry = 256;

    private static readonly Meter Meter = new(TalkoTelemetry.MeterPrefix + "Calls");

    private static readonly Counter<long> PagesReadCounter = Meter.CreateCounter<long>(
        "talko.recordings.index.pages_read", "{page}",
        "Ogg page headers read to index recording segments; with the index cache a range request of a known recording reads none.");

    private readonly Lock gate = new();
    private readonly Dictionary<SlotKey, LinkedListNode<Slot>> slots = [];
    private readonly LinkedList<Slot> recency = [];
    private long bytes;
    private long pagesRead;

    /// <summary>Page headers read so far by this instance's cache (also the counter talko.recordings.index.pages_read).</summary>
    public long PagesRead => Interlocked.Read(ref pagesRead);

    /// <summary>Indexes held now.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return slots.Count;
            }
        }
    }

    /// <summary>Bytes the held indexes take, as accounted against the limit.</summary>
    public long Bytes
    {
        get
        {
            lock (gate)
            {
                return bytes;
            }
        }
    }

    /// <summary>
    /// The index of segment <paramref name="index"/> of call <paramref name="callId"/>, read from <paramref name="source"/>
    /// (seekable; identified by <paramref name="sourceId"/>: its blob id, or its live file's path) only as far as the cache
    /// does not know it. <paramref name="live"/>: the source may have grown since it was last measured.
    /// </summary>
    public OggOpusSegmentInfo Get(Guid callId, int index, string sourceId, bool live, Stream source)
    {
        ArgumentNullException.ThrowIfNull(sourceId);
        ArgumentNullException.ThrowIfNull(source);
        var key = new SlotKey(callId, index);
        OggOpusSegmentInfo? known = null;
        lock (gate)
        {
            if (slots.TryGetValue(key, out var node) && node.Value.SourceId == sourceId && node.Value.Live == live)
            {
                recency.Remove(node);
                recency.AddFirst(node);
                known = node.Value.Info;
            }
        }

        if (known is not null && (!live || source.Length == known.WholeLength))
        {
            return known;
        }

        var info = OggOpusSegment.Measure(source, live ? known : null);
        var read = info.Audio.Count - (live && known is { Audio.Count: > 0 } && known.WholeLength <= info.WholeLength ? known.Audio.Count : -2);
        Interlocked.Add(ref pagesRead, read);
        PagesReadCounter.Add(read);
        Put(new Slot(key, sourceId, live, info, BytesPerEntry + (info.Audio.Count * BytesPerPage)));
        return info;
    }

    private void Put(Slot slot)
    {
        var limits = options.Value;
        lock (gate)
        {
            if (slots.Remove(slot.Key, out var old))
            {
                recency.Remove(old);
                bytes -= old.Value.Bytes;
            }

            if (slot.Bytes > limits.RecordingIndexCacheBytes)
            {
                return; // larger than the whole cache: served, not kept
            }

            slots[slot.Key] = recency.AddFirst(slot);
            bytes += slot.Bytes;
            while (slots.Count > limits.RecordingIndexCacheEntries || bytes > limits.RecordingIndexCacheBytes)
            {
                var last = recency.Last!;
                recency.RemoveLast();
                slots.Remove(last.Value.Key);
                bytes -= last.Value.Bytes;
            }
        }
    }

    private readonly record struct SlotKey(Guid CallId, int Index);

    private sealed record Slot(SlotKey Key, string SourceId, bool Live, OggOpusSegmentInfo Info, long Bytes);
}
