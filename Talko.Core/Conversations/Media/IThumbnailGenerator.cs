namespace Talko.Core.Conversations.Media;

/// <summary>
/// Makes a small preview of a stored photo. The registered <see cref="DecodingThumbnailGenerator"/> decodes
/// with SkiaSharp (ADR 0351) and falls back to <see cref="EmbeddedThumbnailGenerator"/>.
/// </summary>
public interface IThumbnailGenerator
{
    /// <summary>A JPEG or PNG thumbnail of the image, or null when none can be made.</summary>
    Task<GeneratedThumbnail?> GenerateAsync(Stream seekableImage, MediaFormat format, ImageProbeResult probe, CancellationToken cancellationToken = default);
}

/// <summary><c>DecodedWidth</c>, <c>DecodedHeight</c>: the photo's size when the thumbnail was made by decoding all of it; null otherwise.</summary>
public sealed record GeneratedThumbnail(ReadOnlyMemory<byte> Content, MediaFormat Format, int? DecodedWidth = null, int? DecodedHeight = null);

/// <summary>Uses the EXIF thumbnail of a JPEG (most phone cameras write one, about 160x120); nothing otherwise.</summary>
public sealed class EmbeddedThumbnailGenerator : IThumbnailGenerator
{
    public Task<GeneratedThumbnail?> GenerateAsync(Stream seekableImage, MediaFormat format, ImageProbeResult probe, CancellationToken cancellationToken = default) =>
        Task.FromResult(probe.EmbeddedThumbnail is { } embedded ? new GeneratedThumbnail(embedded, MediaFormat.Jpeg) : null);
}
