namespace Talko.Server.WebRtc;

internal static partial class WebRtcLog
{
    [LoggerMessage(EventId = 7210, Level = LogLevel.Information, Message = "WebRTC leg {LegId} joined call {CallId} for user {UserId} (hub connection {ConnectionId})")]
    public static partial void Joined(ILogger logger, Guid callId, string legId, Guid userId, string connectionId);
}
