using System.Globalization;
using Microsoft.Extensions.Logging;
using Talko.Core.Media.Mixing;

namespace Talko.Core.Media.Recording;

/// <summary>A finished recording: the WAV of the full mix and its talker timeline.</summary>
public sealed record RecordingResult(string ConferenceId, string WavPath, string TimelinePath, TimeSpan Duration, IReadOnlyList<TalkerSegment> Segments);

/// <summary>
/// Records one conference: the mix into a WAV file and talk spurts into a timeline, both timed by
/// mixer frames so timeline offsets are positions in the WAV.
/// </summary>
public sealed class CallRecording : IMixSink, IAsyncDisposable
{
    private readonly string conferenceId;
    private readonly DateTimeOffset startedAt;
    private readonly WavRecorder wav;
    private readonly ILogger logger;
    private RecordingResult? result;

    private CallRecording(string conferenceId, DateTimeOffset startedAt, WavRecorder wav, string timelinePath, ILogger logger)
    {
        this.conferenceId = conferenceId;
        this.startedAt = startedAt;
        this.wav = wav;
        this.logger = logger;
        TimelinePath = timelinePath;
    }

    public TalkerTimeline Timeline { get; } = new();

    public string WavPath => wav.Path;

    public string TimelinePath { get; }

    public static CallRecording Start(
        string conferenceId, int sampleRate, int frameSamples, RecordingOptions options, TimeProvider timeProvider, ILogger logger)
    {
        options.Validate();
        var directory = options.Directory ?? throw new InvalidOperationException("Recording is off: no directory configured.");
        Directory.CreateDirectory(directory);
        var startedAt = timeProvider.GetUtcNow();
        var baseName = options.FileNameFormat
            .Replace("{conference}", SafeFileName(conferenceId), StringComparison.Ordinal)
            .Replace("{start}", startedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture), StringComparison.Ordinal);
        baseName = SafeFileName(baseName);

        // Never overwrite: a second call in the same millisecond (or a fixed format) gets a suffix.
        var candidate = baseName;
        for (var attempt = 1; File.Exists(System.IO.Path.Combine(directory, candidate + ".wav")); attempt++)
        {
            candidate = $"{baseName}-{attempt}";
        }

        var wavPath = System.IO.Path.Combine(directory, candidate + ".wav");
        var timelinePath = System.IO.Path.Combine(directory, candidate + ".talkers.json");
        var wav = new WavRecorder(wavPath, sampleRate, frameSamples, options, timeProvider, logger);
        return new CallRecording(conferenceId, startedAt, wav, timelinePath, logger);
    }

    public void WriteMix(ReadOnlySpan<short> mix) => wav.WriteMix(mix);

    /// <summary>Closes the WAV (final header) and writes the timeline; idempotent.</summary>
    public async ValueTask<RecordingResult> CompleteAsync()
    {
        if (result is not null)
        {
            return result;
        }

        await wav.DisposeAsync().ConfigureAwait(false);
        var duration = wav.Duration;
        var segments = Timeline.Complete(duration);
        var document = new TalkerTimelineDocument(conferenceId, startedAt, (long)duration.TotalMilliseconds, segments);
        await File.WriteAllTextAsync(TimelinePath, TalkerTimeline.ToJson(document)).ConfigureAwait(false);
        RecordingLog.Closed(logger, wav.Path, (long)duration.TotalMilliseconds, wav.DroppedFrames);
        result = new RecordingResult(conferenceId, wav.Path, TimelinePath, duration, segments);
        return result;
    }

    public async ValueTask DisposeAsync() => await CompleteAsync().ConfigureAwait(false);

    private static string SafeFileName(string name)
    {
        var invalid = System.IO.Path.GetInvalidFileNameChars();
        var chars = name.Select(c => invalid.Contains(c) || c is '/' or '\\' or ':' || char.IsControl(c) ? '_' : c).ToArray();
        var safe = new string(chars).Trim('.', ' ');
        return safe.Length == 0 ? "conference" : safe[..Math.Min(safe.Length, 120)];
    }
}
