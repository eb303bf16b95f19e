using Microsoft.Extensions.Logging;

namespace Talko.Core.Notifications;

internal static partial class NotificationLog
{
    [LoggerMessage(EventId = 8001, Level = LogLevel.Warning, Message = "{Provider} answered {Status} {Reason}: {Outcome}")]
    public static partial void ProviderRefused(ILogger logger, string provider, int status, string reason, DeliveryStatus outcome);

    [LoggerMessage(EventId = 8002, Level = LogLevel.Warning, Message = "Could not obtain a Google access token: {Reason}")]
    public static partial void AccessTokenFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 8003, Level = LogLevel.Information, Message = "Notification {EventId} ({Kind}) for {Channel} {Address}: {Title} / {Body} (count {Count}, badge {Badge})")]
    public static partial void Logged(ILogger logger, Guid eventId, string kind, PushChannel channel, string address, string? title, string? body, int count, int? badge);
}
