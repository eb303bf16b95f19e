namespace Talko.Core.Conversations.Media;

/// <summary>The media formats a conversation accepts, recognised by their content (never by name or label).</summary>
public enum MediaFormat
{
    Unknown,
    Jpeg,
    Png,
    Heic,
    Webp,
    Wav,
    OggOpus,
    M4a,
}

public static class MediaFormats
{
    /// <summary>The content type a format is served with (RFC 6838 registrations; HEIC per ISO/IEC 23008-12 Annex C).</summary>
    public static string ContentType(this MediaFormat format) => format switch
    {
        MediaFormat.Jpeg => "image/jpeg",
        MediaFormat.Png => "image/png",
        MediaFormat.Heic => "image/heic",
        MediaFormat.Webp => "image/webp",
        MediaFormat.Wav => "audio/wav",
        MediaFormat.OggOpus => "audio/ogg",
        MediaFormat.M4a => "audio/mp4",
        _ => "application/octet-stream",
    };

    public static string FileExtension(this MediaFormat format) => format switch
    {
        MediaFormat.Jpeg => "jpg",
        MediaFormat.Png => "png",
        MediaFormat.Heic => "heic",
        MediaFormat.Webp => "webp",
        MediaFormat.Wav => "wav",
        MediaFormat.OggOpus => "opus",
        MediaFormat.M4a => "m4a",
        _ => "bin",
    };

    public static bool IsImage(this MediaFormat format) => format is MediaFormat.Jpeg or MediaFormat.Png or MediaFormat.Heic or MediaFormat.Webp;

    public static bool IsAudio(this MediaFormat format) => format is MediaFormat.Wav or MediaFormat.OggOpus or MediaFormat.M4a;

    /// <summary>
    /// The formats a declared content type names, so that a label contradicting the content can be refused.
    /// Null when the label is absent or generic (application/octet-stream), which leaves the content to decide.
    /// </summary>
    public static IReadOnlySet<MediaFormat>? FormatsNamedBy(string? contentType)
    {
        var mediaType = contentType?.Split(';', 2)[0].Trim().ToLowerInvariant();
        return mediaType switch
        {
            null or "" or "application/octet-stream" => null,
            "image/jpeg" or "image/jpg" or "image/pjpeg" => Set(MediaFormat.Jpeg),
            "image/png" => Set(MediaFormat.Png),
            "image/webp" => Set(MediaFormat.Webp),
            "image/heic" or "image/heif" or "image/heic-sequence" or "image/heif-sequence" => Set(MediaFormat.Heic),
            "audio/wav" or "audio/wave" or "audio/x-wav" or "audio/vnd.wave" => Set(MediaFormat.Wav),
            "audio/ogg" or "audio/opus" or "application/ogg" => Set(MediaFormat.OggOpus),
            "audio/mp4" or "audio/m4a" or "audio/x-m4a" or "audio/aac" or "audio/mp4a-latm" => Set(MediaFormat.M4a),
            _ => new HashSet<MediaFormat>(),
        };

        static HashSet<MediaFormat> Set(MediaFormat format) => [format];
    }
}
