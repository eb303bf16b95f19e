using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Talko.Core.Imaging;

namespace Talko.Core.Conversations.Media;

/// <summary>
/// Decodes the photo with SkiaSharp (<see cref="Thumbnailer"/>, ADR 0351) and makes a JPEG thumbnail that fits
/// <see cref="ImagingOptions.ThumbnailMaxSide"/>. When that is impossible (malformed or oversized images, HEIC,
/// a timeout) it falls back to the camera's embedded Exif thumbnail, and otherwise to none: a thumbnail is a
/// nicety and never fails an upload.
/// </summary>
public sealed class DecodingThumbnailGenerator(IOptions<ImagingOptions> options, TimeProvider time, ILogger<DecodingThumbnailGenerator> logger) : IThumbnailGenerator
{
    private readonly EmbeddedThumbnailGenerator embedded = new();

    public async Task<GeneratedThumbnail?> GenerateAsync(Stream seekableImage, MediaFormat format, ImageProbeResult probe, CancellationToken cancellationToken = default)
    {
        // HEIC is HEVC-coded and no licence-clean HEVC decoder is served here (ADR 0351): embedded or none.
        ImageCodec? codec = format switch
        {
            MediaFormat.Png => ImageCodec.Png,
            MediaFormat.Jpeg => ImageCodec.Jpeg,
            MediaFormat.Webp => ImageCodec.Webp,
            _ => null,
        };
        if (codec is { } known)
        {
            var settings = options.Value;
            using var deadline = new CancellationTokenSource(settings.MaxDecodeTime, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            try
            {
                seekableImage.Position = 0;
                var started = time.GetTimestamp();
                var thumbnail = new Thumbnailer(settings).Create(seekableImage, known, linked.Token);
                ThumbnailLog.Made(logger, format, thumbnail.SourceWidth, thumbnail.SourceHeight, thumbnail.Width, thumbnail.Height, time.GetElapsedTime(started).TotalMilliseconds);
                return new GeneratedThumbnail(thumbnail.Jpeg, MediaFormat.Jpeg, thumbnail.SourceWidth, thumbnail.SourceHeight);
            }
            catch (ImageDecodingException exception)
            {
                ThumbnailLog.NotDecoded(logger, format, exception.Message);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                ThumbnailLog.TimedOut(logger, format, settings.MaxDecodeTime.TotalSeconds);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // A library or wiring fault must not fail the upload; it is logged as an error to be fixed.
                ThumbnailLog.DecoderFailed(logger, exception, format);
            }
        }

        return await embedded.GenerateAsync(seekableImage, format, probe, cancellationToken);
    }
}
