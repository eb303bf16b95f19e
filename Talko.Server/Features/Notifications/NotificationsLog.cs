using Talko.Core.Notifications;

namespace Talko.Server.Features.Notifications;

internal static partial class NotificationsLog
{
    [LoggerMessage(EventId = 8101, Level = LogLevel.Information, Message = "Push address on {Channel} for device {DeviceId} is gone and was removed")]
    public static partial void AddressGone(ILogger logger, PushChannel channel, Guid? deviceId);

    [LoggerMessage(EventId = 8102, Level = LogLevel.Warning, Message = "Notification {Id} to {Channel} failed (attempt {Attempts}): {Reason}; next attempt at {NextAttemptAt:O}")]
    public static partial void WillRetry(ILogger logger, Guid id, PushChannel channel, int attempts, string? reason, DateTime nextAttemptAt);

    [LoggerMessage(EventId = 8103, Level = LogLevel.Error, Message = "Notification {Id} to {Channel} dead-lettered after {Attempts} attempt(s): {Reason}")]
    public static partial void DeadLettered(ILogger logger, Guid id, PushChannel channel, int attempts, string? reason);

    [LoggerMessage(EventId = 8104, Level = LogLevel.Error, Message = "Provider for {Channel} threw while sending notification {Id}")]
    public static partial void ProviderThrew(ILogger logger, Exception exception, PushChannel channel, Guid id);

    [LoggerMessage(EventId = 8105, Level = LogLevel.Error, Message = "Notification dispatcher round failed; next round in {Delay}")]
    public static partial void RoundFailed(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(EventId = 8113, Level = LogLevel.Warning, Message = "Notification dispatcher round postponed: a dependency is unavailable ({ExceptionType}: {Reason}); next round in {Delay}")]
    public static partial void RoundPostponed(ILogger logger, string exceptionType, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 8106, Level = LogLevel.Warning, Message = "Notification {Id} lost its lease to another instance before its result was recorded")]
    public static partial void LeaseLost(ILogger logger, Guid id);

    [LoggerMessage(EventId = 8107, Level = LogLevel.Information, Message = "Notification dispatcher started on {Owner}: {Channels}")]
    public static partial void DispatcherStarted(ILogger logger, string owner, string channels);

    [LoggerMessage(EventId = 8108, Level = LogLevel.Debug, Message = "Deleted {Count} finished outbox row(s)")]
    public static partial void CleanedUp(ILogger logger, int count);

    [LoggerMessage(EventId = 8109, Level = LogLevel.Error, Message = "Notification {Id} has an unreadable payload")]
    public static partial void BadPayload(ILogger logger, Exception exception, Guid id);

    [LoggerMessage(EventId = 8110, Level = LogLevel.Warning, Message = "Awareness could not be read; every device counts as away for this notification")]
    public static partial void PresenceUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 8111, Level = LogLevel.Warning, Message = "Could not send notificationCreated to user {UserId} ({HeldBack} more failed since the last line)")]
    public static partial void AnnounceFailed(ILogger logger, Exception exception, Guid userId, long heldBack);

    [LoggerMessage(EventId = 8112, Level = LogLevel.Debug, Message = "The outbox could not be sampled for the metrics; the gauges keep their last sample")]
    public static partial void BacklogSampleFailed(ILogger logger, Exception exception);
}
