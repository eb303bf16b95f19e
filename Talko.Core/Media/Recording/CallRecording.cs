using System.Globalization;
using Microsoft.Extensions.Logging;
using Talko.Core.Media.Codecs.Opus;
using Talko.Core.Media.Mixing;

namespace Talko.Core.Media.Recording;

/// <summary>A finished recording: the audio of the full mix (<see cref="Format"/> says how it is stored) and its talker timeline.</summary>
public sealed record RecordingResult(string ConferenceId, string AudioPath, string TimelinePath, TimeSpan Duration, IReadOnlyList<TalkerSegment> Segments)
{
    public RecordingFormat Format => RecordingFormats.FromPath(AudioPath);
}

/// <summary>
/// Records one conference: the mix into an Ogg Opus (or WAV) file and talk spurts into a timeline, both timed by
/// mixer frames so timeline offsets are positions in the audio.
/// </summary>
public sealed class CallRecording : IMixSink, IAsyncDisposable
{
    private readonly string conferenceId;
    private readonly DateTimeOffset startedAt;
    private readonly ISegmentRecorder audio;
    private readonly ILogger logger;
    private RecordingResult? result;

    private CallRecording(string conferenceId, DateTimeOffset startedAt, ISegmentRecorder audio, string timelinePath, ILogger logger)
    {
        this.conferenceId = conferenceId;
        this.startedAt = startedAt;
        this.audio = audio;
        this.logger = logger;
        TimelinePath = timelinePath;
    }

    public TalkerTimeline Timeline { get; } = new();

    public string AudioPath => audio.Path;

    public string TimelinePath { get; }

    /// <summary>
    /// Starts recording a mix of <paramref name="frameSamples"/>-sample frames at <paramref name="sampleRate"/> in
    /// <see cref="RecordingOptions.Format"/>; Ogg Opus needs <paramref name="opusCodecs"/>.
    /// </summary>
    public static CallRecording Start(
        string conferenceId, int sampleRate, int frameSamples, RecordingOptions options, TimeProvider timeProvider, ILogger logger, OpusCodecs? opusCodecs = null)
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
        var extension = RecordingFormats.Extension(options.Format);
        var candidate = baseName;
        for (var attempt = 1; File.Exists(System.IO.Path.Combine(directory, candidate + extension)); attempt++)
        {
            candidate = $"{baseName}-{attempt}";
        }

        var audioPath = System.IO.Path.Combine(directory, candidate + extension);
        var timelinePath = System.IO.Path.Combine(directory, candidate + ".talkers.json");
        ISegmentRecorder audio = options.Format == RecordingFormat.OggOpus
            ? new OggOpusRecorder(audioPath, sampleRate, frameSamples, opusCodecs ?? throw new ArgumentNullException(nameof(opusCodecs)), options, logger)
            : new WavRecorder(audioPath, sampleRate, frameSamples, options, timeProvider, logger);
        return new CallRecording(conferenceId, startedAt, audio, timelinePath, logger);
    }

    public void WriteMix(ReadOnlySpan<short> mix) => audio.WriteMix(mix);

    /// <summary>Closes the audio (final header or last page) and writes the timeline; idempotent.</summary>
    public async ValueTask<RecordingResult> CompleteAsync()
    {
        if (result is not null)
        {
            return result;
        }

        await audio.DisposeAsync().ConfigureAwait(false);
        var duration = audio.Duration;
        var segments = Timeline.Complete(duration);
        var document = new TalkerTimelineDocument(conferenceId, startedAt, (long)duration.TotalMilliseconds, segments);
        await File.WriteAllTextAsync(TimelinePath, TalkerTimeline.ToJson(document)).ConfigureAwait(false);
        RecordingLog.Closed(logger, audio.Path, (long)duration.TotalMilliseconds, audio.DroppedFrames);
        result = new RecordingResult(conferenceId, audio.Path, TimelinePath, duration, segments);
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
