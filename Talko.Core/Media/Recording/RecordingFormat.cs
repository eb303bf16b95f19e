namespace Talko.Core.Media.Recording;

/// <summary>How a recording segment's audio is stored; the file extension says which, so a segment's row can carry it.</summary>
public enum RecordingFormat
{
    /// <summary>16-bit PCM, 8 kHz mono WAV: every recording before Ogg Opus (ADR 0152), and <c>Format = Wav</c>.</summary>
    Wav = 0,

    /// <summary>Ogg Opus (RFC 7845), mono, from the 48 kHz mix (ADR 0812).</summary>
    OggOpus = 1,
}

/// <summary>File extensions of the recording formats.</summary>
public static class RecordingFormats
{
    public static string Extension(RecordingFormat format) => format == RecordingFormat.OggOpus ? ".opus" : ".wav";

    /// <summary>The format a recorder wrote to <paramref name="path"/>, by its extension.</summary>
    public static RecordingFormat FromPath(string path) =>
        path.EndsWith(".opus", StringComparison.OrdinalIgnoreCase) ? RecordingFormat.OggOpus : RecordingFormat.Wav;
}
