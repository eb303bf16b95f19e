using Microsoft.Extensions.Logging;

namespace Talko.Core.Awareness;

internal static partial class AwarenessLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Awareness store update failed for connection {ConnectionId} of user {UserId}; retried on the next renewal")]
    public static partial void StoreUpdateFailed(ILogger logger, Exception exception, string userId, string connectionId);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Error, Message = "Publishing {Count} awareness changes failed")]
    public static partial void NotifyFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Awareness renewal failed")]
    public static partial void RenewFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Awareness reaping failed")]
    public static partial void ReapFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Information, Message = "Dropped {Count} silent device connections (no heartbeat for {Timeout})")]
    public static partial void DroppedSilent(ILogger logger, int count, TimeSpan timeout);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Information, Message = "Reaped dead instance {DeadInstanceId}: {Count} users changed")]
    public static partial void ReapedInstance(ILogger logger, string deadInstanceId, int count);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Information, Message = "Wrote {Count} connections again that the store had lost")]
    public static partial void RestoredLost(ILogger logger, int count);
}
