using Microsoft.Extensions.Logging;

namespace Talko.Core.Conversations.Media;

internal static partial class ThumbnailLog
{
    [LoggerMessage(EventId = 3501, Level = LogLevel.Debug, Message = "Thumbnail of a {Format} image {SourceWidth}x{SourceHeight}: {Width}x{Height} in {ElapsedMs:0.0} ms")]
    public static partial void Made(ILogger logger, MediaFormat format, int sourceWidth, int sourceHeight, int width, int height, double elapsedMs);

    [LoggerMessage(EventId = 3502, Level = LogLevel.Information, Message = "No decoded thumbnail for a {Format} image: {Reason}")]
    public static partial void NotDecoded(ILogger logger, MediaFormat format, string reason);

    [LoggerMessage(EventId = 3503, Level = LogLevel.Warning, Message = "Thumbnail of a {Format} image abandoned after {Seconds} s")]
    public static partial void TimedOut(ILogger logger, MediaFormat format, double seconds);

    [LoggerMessage(EventId = 3504, Level = LogLevel.Error, Message = "The {Format} thumbnail decoder failed unexpectedly")]
    public static partial void DecoderFailed(ILogger logger, Exception exception, MediaFormat format);
}
