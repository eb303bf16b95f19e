namespace Talko.Core.Media.Recording;

/// <summary>Where call recordings go. The host maps <see cref="Directory"/> onto its blob store.</summary>
public sealed class RecordingOptions
{
    /// <summary>Directory for the audio and timeline files; null or empty turns recording off.</summary>
    public string? Directory { get; set; }

    /// <summary>
    /// OggOpus (default: mono at Talko:Media:Opus:RecordingBitrate, about 9 MB an hour) or Wav (16-bit 8 kHz PCM,
    /// 57.6 MB an hour, what Talko recorded before ADR 0812).
    /// </summary>
    public RecordingFormat Format { get; set; } = RecordingFormat.OggOpus;

    /// <summary>
    /// File name without extension. Tokens: {conference} (the conference id, made file-name safe) and
    /// {start} (UTC start, yyyyMMddTHHmmssfffZ). The audio gets ".opus" or ".wav", the timeline ".talkers.json".
    /// </summary>
    public string FileNameFormat { get; set; } = "{conference}-{start}";

    /// <summary>How often the WAV header is rewritten with the current length, so a cut-off file still plays.</summary>
    public TimeSpan HeaderUpdateInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Frames queued between the mixer tick and the file writer before frames are dropped (counted).</summary>
    public int QueueFrames { get; set; } = 500;

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(FileNameFormat) || HeaderUpdateInterval <= TimeSpan.Zero || QueueFrames < 1 || !Enum.IsDefined(Format))
        {
            throw new ArgumentException("Recording options need a file name format, a positive header interval and queue size, and a known format.");
        }
    }
}
