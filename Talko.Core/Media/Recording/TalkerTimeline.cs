using System.Text.Json;
using System.Text.Json.Serialization;

namespace Talko.Core.Media.Recording;

/// <summary>One talk spurt: who, and from when to when in milliseconds from the recording's start.</summary>
public sealed record TalkerSegment(string LegId, long StartMs, long EndMs);

/// <summary>The talker timeline of one recording, as written next to the WAV file.</summary>
public sealed record TalkerTimelineDocument(string ConferenceId, DateTimeOffset StartedAt, long DurationMs, IReadOnlyList<TalkerSegment> Segments);

/// <summary>Collects talk spurts from talking-started/stopped events (thread-safe).</summary>
public sealed class TalkerTimeline
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, long> open = [];
    private readonly List<TalkerSegment> segments = [];

    public void Started(string legId, TimeSpan offset)
    {
        lock (gate)
        {
            open.TryAdd(legId, (long)offset.TotalMilliseconds);
        }
    }

    public void Stopped(string legId, TimeSpan offset)
    {
        lock (gate)
        {
            if (open.Remove(legId, out var start))
            {
                segments.Add(new TalkerSegment(legId, start, Math.Max(start, (long)offset.TotalMilliseconds)));
            }
        }
    }

    /// <summary>Closes any spurt still open at <paramref name="end"/> and returns all segments by start time.</summary>
    public IReadOnlyList<TalkerSegment> Complete(TimeSpan end)
    {
        lock (gate)
        {
            foreach (var (legId, start) in open)
            {
                segments.Add(new TalkerSegment(legId, start, Math.Max(start, (long)end.TotalMilliseconds)));
            }

            open.Clear();
            return [.. segments.OrderBy(s => s.StartMs).ThenBy(s => s.LegId, StringComparer.Ordinal)];
        }
    }

    public static string ToJson(TalkerTimelineDocument document) =>
        JsonSerializer.Serialize(document, RecordingJsonContext.Default.TalkerTimelineDocument);

    public static TalkerTimelineDocument? FromJson(string json) =>
        JsonSerializer.Deserialize(json, RecordingJsonContext.Default.TalkerTimelineDocument);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(TalkerTimelineDocument))]
internal sealed partial class RecordingJsonContext : JsonSerializerContext;
