namespace Talko.Core.Conversations.Media;

/// <summary>
/// Makes a small preview of a stored photo. The seam exists because no image codec ships with .NET and
/// none is allowed in this solution yet (ADR 0301): the built-in generator only reuses a thumbnail the
/// camera embedded; a decoder-backed generator can replace it without touching callers.
/// </summary>
public interface IThumbnailGenerator
{
    /// <summary>A JPEG or PNG thumbnail of the image, or null when none can be made.</summary>
    Task<GeneratedThumbnail?> GenerateAsync(Stream seekableImage, MediaFormat format, ImageProbeResult probe, CancellationToken cancellationToken = default);
}

public sealed record GeneratedThumbnail(ReadOnlyMemory<byte> Content, MediaFormat Format);

/// <summary>Uses the EXIF thumbnail of a JPEG (most phone cameras write one, about 160x120); nothing otherwise.</summary>
public sealed class EmbeddedThumbnailGenerator : IThumbnailGenerator
{
    public Task<GeneratedThumbnail?> GenerateAsync(Stream seekableImage, MediaFormat format, ImageProbeResult probe, CancellationToken cancellationToken = default) =>
        Task.FromResult(probe.EmbeddedThumbnail is { } embedded ? new GeneratedThumbnail(embedded, MediaFormat.Jpeg) : null);
}
