using Microsoft.Extensions.Logging;

namespace Talko.Core.Media.Recording;

internal static partial class RecordingLog
{
    [LoggerMessage(EventId = 6200, Level = LogLevel.Error, Message = "Writing recording {Path} failed")]
    public static partial void WriteFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 6201, Level = LogLevel.Information, Message = "Recording {Path} closed: {DurationMs} ms, {DroppedFrames} frames dropped")]
    public static partial void Closed(ILogger logger, string path, long durationMs, long droppedFrames);
}
