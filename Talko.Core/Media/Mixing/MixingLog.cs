using Microsoft.Extensions.Logging;

namespace Talko.Core.Media.Mixing;

internal static partial class MixingLog
{
    [LoggerMessage(EventId = 6100, Level = LogLevel.Error, Message = "Mixer participant {ParticipantId} failed during a tick")]
    public static partial void ParticipantFailed(ILogger logger, string participantId, Exception exception);

    [LoggerMessage(EventId = 6101, Level = LogLevel.Error, Message = "The mix sink failed during a tick")]
    public static partial void SinkFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Error, Message = "A talker event handler failed for {ParticipantId}")]
    public static partial void ObserverFailed(ILogger logger, string participantId, Exception exception);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Warning, Message = "Mixer clock fell {Behind} ticks behind; skipped ahead")]
    public static partial void TicksSkipped(ILogger logger, long behind);

    [LoggerMessage(EventId = 6104, Level = LogLevel.Error, Message = "Mixer tick failed")]
    public static partial void TickFailed(ILogger logger, Exception exception);
}
